// The profile rules on JWTs a client sends that oidc-provider leaves to its configuration hooks:
// request objects (requestObjects.assertJwtClaimsAndHeader) and client assertions
// (assertJwtClientAuthClaimsAndHeader). oidc-provider has already verified the signature, iss, exp and
// nbf against clockTolerance when these run; they add what the client's profile demands.
import { composeDescription } from '@fapi-sandbox/fapi-core/errors';
import { type Client, errors, type JsonValue, type KoaContextWithOIDC } from 'oidc-provider';
import { profileOf, ruleById } from '../profiles/index.js';
import { assertSignedAuthenticationRequest } from './ciba.js';
import { assertInnerSigningKey, assertRegisteredEncryption } from './request-object-encryption.js';

type Claims = Record<string, JsonValue>;

const epochSeconds = () => Math.floor(Date.now() / 1000);

function requestObjectError(ruleId: string, client: Client, description: string): Error {
  const rule = ruleById(profileOf(client as never), ruleId);
  return new errors.InvalidRequestObject(
    composeDescription({ description, clause: rule.clause, fix: rule.fix }),
  );
}

/** requestObjects.assertJwtClaimsAndHeader */
export async function assertRequestObject(
  ctx: KoaContextWithOIDC,
  claims: Claims,
  header: Claims,
  client: Client,
): Promise<void> {
  // At the authorization endpoint, a request_uri from PAR is oidc-provider's own stored copy of a request
  // already checked when it was pushed (an unsigned record of plain PAR parameters, or the signed JAR).
  if ('PushedAuthorizationRequest' in ctx.oidc.entities) return;
  // OIDC Registration §2: encrypted with the alg and enc the client registered, if it registered them.
  assertRegisteredEncryption(ctx, client);
  await assertInnerSigningKey(ctx);
  const profile = profileOf(client as never);
  const alg = String(header.alg);

  // FAPI 1.0 Adv §8.6-1 / FAPI 2.0 SP §5.4.1-1: only the profile's algorithms (enabledJWA is the union).
  if (!(profile.client.signingAlgs as readonly string[]).includes(alg)) {
    throw requestObjectError(
      'signing-algorithms',
      client,
      `The request object is signed with ${alg}, which ${profile.title} does not allow (it accepts ${profile.client.signingAlgs.join(', ')})`,
    );
  }

  // FAPI 1.0 Adv §5.2.2-13/15/17 (and RFC 9101 for FAPI 2.0 clients that sign requests): exp, nbf, aud.
  const ruleId = 'request-object-exp-nbf';
  for (const claim of ['exp', 'nbf', 'aud'] as const) {
    if (claims[claim] === undefined) {
      throw requestObjectError(
        claim === 'aud' ? 'request-object-aud' : ruleId,
        client,
        `The request object is missing the '${claim}' claim`,
      );
    }
  }
  // FAPI 1.0 Adv §5.2.2-13 and §5.2.2-17: exp at most 60 minutes after nbf, nbf at most 60 minutes old.
  const window = profile.provider.requestObjectWindowSeconds;
  const exp = Number(claims.exp);
  const nbf = Number(claims.nbf);
  const lifetime = exp - nbf;
  if (!(lifetime > 0 && lifetime <= window)) {
    throw requestObjectError(
      ruleId,
      client,
      `The request object's exp is ${lifetime} s after its nbf; it must be after nbf and at most ${window} s later`,
    );
  }
  const age = epochSeconds() - nbf;
  if (age > window) {
    throw requestObjectError(
      ruleId,
      client,
      `The request object's nbf is ${age} s in the past; it must be at most ${window} s old`,
    );
  }

  // CIBA §7.1.1: a signed authentication request also carries iat and jti.
  assertSignedAuthenticationRequest(ctx, claims);

  // FAPI 1.0 Adv §5.2.2-10: only the signed parameters count, so the scope must be among them.
  if (profile.id === 'fapi1-advanced' && typeof claims.scope !== 'string') {
    throw requestObjectError(
      'scope-in-request-object',
      client,
      'The request object has no scope; parameters outside it are ignored',
    );
  }
}

/** assertJwtClientAuthClaimsAndHeader */
export async function assertClientAssertion(
  ctx: KoaContextWithOIDC,
  claims: Claims,
  header: Claims,
  client: Client,
): Promise<void> {
  const profile = profileOf(client as never);
  const alg = String(header.alg);

  // FAPI 1.0 Adv §8.6-1 / FAPI 2.0 SP §5.4.1-1.
  if (!(profile.client.signingAlgs as readonly string[]).includes(alg)) {
    const rule = ruleById(profile, 'signing-algorithms');
    throw new errors.InvalidClientAuth(
      composeDescription({
        description: `The client assertion is signed with ${alg}, which ${profile.title} does not allow (it accepts ${profile.client.signingAlgs.join(', ')})`,
        clause: rule.clause,
        fix: rule.fix,
      }),
    );
  }

  // FAPI 2.0 SP §5.3.2.1-8: the issuer identifier, as a string, and nothing else.
  if (profile.id === 'fapi2' && claims.aud !== ctx.oidc.issuer) {
    const rule = ruleById(profile, 'assertion-audience-is-issuer');
    throw new errors.InvalidClientAuth(
      composeDescription({
        description: `The client assertion's aud is ${JSON.stringify(claims.aud)}, not the issuer identifier ${ctx.oidc.issuer}`,
        clause: rule.clause,
        fix: rule.fix,
      }),
    );
  }
}
