// oidc-provider checks a JWT's `alg` before bank-op's hooks run, and says only "alg mismatch",
// "unsupported signed request alg" or "invalid DPoP key binding". A client cannot act on that: was the
// algorithm refused by the server, or does the client's own registration name another one? This module
// reads the `alg` the client sent and tells it which: the algorithm it registered (RFC 7591 §2
// token_endpoint_auth_signing_alg, OIDC Registration request_object_signing_alg), or the list the server
// accepts (FAPI 2.0 SP §5.4.1-1 / FAPI 1.0 Adv §8.6-1), from fapi-core's one list.
import { composeDescription } from '@fapi-sandbox/fapi-core/errors';
import { quote } from '@fapi-sandbox/fapi-core/jose/reject';
import { decodeProtectedHeader } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { profileOf, ruleById } from '../profiles/index.js';
import type { ProviderError } from './explain-errors.js';

interface SignedJwtKind {
  what: string;
  /** The JWT the client sent, from the request. */
  jwt(ctx: KoaContextWithOIDC): unknown;
  /** The client metadata naming the one algorithm the client registered for it, if any. */
  registeredAs?: { metadata: string; property: string };
}

const CLIENT_ASSERTION: SignedJwtKind = {
  what: 'client assertion',
  jwt: (ctx) => ctx.oidc.params?.client_assertion,
  registeredAs: { metadata: 'token_endpoint_auth_signing_alg', property: 'clientAuthSigningAlg' },
};
const REQUEST_OBJECT: SignedJwtKind = {
  what: 'request object',
  jwt: (ctx) => ctx.oidc.params?.request,
  registeredAs: { metadata: 'request_object_signing_alg', property: 'requestObjectSigningAlg' },
};
const DPOP_PROOF: SignedJwtKind = {
  what: 'DPoP proof',
  jwt: (ctx) => ctx.get('DPoP'),
};

/** Which JWT an oidc-provider error is about, when it is about the JWT's algorithm. */
function refusedJwt(err: ProviderError): SignedJwtKind | undefined {
  const texts = [err.error_detail, err.error_description, err.message];
  if (err.error === 'invalid_client' && texts.includes('alg mismatch')) return CLIENT_ASSERTION;
  if (
    err.error === 'invalid_request_object' &&
    texts.some(
      (text) =>
        text === 'unsupported signed request alg' ||
        text === 'the preregistered alg must be used in request or request_uri',
    )
  ) {
    return REQUEST_OBJECT;
  }
  // jose's JOSEAlgNotAllowed surfaces as "invalid DPoP key binding", like a bad signature does.
  if (err.error === 'invalid_dpop_proof' && texts.includes('invalid DPoP key binding')) return DPOP_PROOF;
  return undefined;
}

function headerAlg(jwt: unknown): string | undefined {
  if (typeof jwt !== 'string') return undefined;
  try {
    const { alg } = decodeProtectedHeader(jwt);
    return typeof alg === 'string' ? alg : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An error_description naming the algorithm the client used and the one(s) it must use, for an
 * oidc-provider error about a JWT's `alg`; undefined for any other error.
 */
export function explainAlgorithmRefusal(ctx: KoaContextWithOIDC, err: ProviderError): string | undefined {
  const kind = refusedJwt(err);
  if (!kind) return undefined;
  const alg = headerAlg(kind.jwt(ctx));
  if (alg === undefined) return undefined;
  const client = ctx.oidc?.client as unknown as Record<string, unknown> | undefined;
  const registered = kind.registeredAs ? client?.[kind.registeredAs.property] : undefined;
  const profile = profileOf(client as never);
  const profileClause = ruleById(profile, 'signing-algorithms').clause;

  // RFC 7591 §2 / OIDC Registration §2: a client that registered an algorithm signs with that one only;
  // the clause of the client's own profile (FAPI 2.0 SP §5.4.1-1 or FAPI 1.0 Adv §8.6-1) comes with it.
  if (typeof registered === 'string' && registered !== alg) {
    return composeDescription({
      description: `The ${kind.what} is signed with ${quote(alg, 20)}, but this client registered ${kind.registeredAs!.metadata} ${registered}`,
      clause: `RFC 7591 §2 (${kind.registeredAs!.metadata}), ${profileClause}`,
      fix: `sign the ${kind.what} with ${registered}, the algorithm this client registered, or update the registration (RFC 7592) to name ${quote(alg, 20)} first`,
    });
  }
  // FAPI 2.0 SP §5.4.1-1 / FAPI 1.0 Adv §8.6-1: the profile's list (DPoP is FAPI 2.0 only).
  const accepted = profile.client.signingAlgs.join(', ');
  return composeDescription({
    description: `The ${kind.what} is signed with ${quote(alg, 20)}, which this server does not accept for ${profile.title} (it accepts ${accepted})`,
    clause: profileClause,
    fix: `sign the ${kind.what} with one of ${accepted}`,
  });
}
