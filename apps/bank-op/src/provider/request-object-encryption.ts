// Encrypted request objects (RFC 9101 §6.1): a JWE to the bank's key (use enc) holding the client's
// signed request object (OIDC Core §10.2, a nested JWT). oidc-provider (features.encryption) decrypts
// it in place before its request-object checks; bank-op adds what it leaves out:
//   - the client's registration: request_object_encryption_alg/enc registered means every request
//     object comes encrypted with exactly those (OIDC Registration §2);
//   - the trace: which bank key decrypted it, and the signed content the bank then verified;
//   - explanations: a JWE the bank cannot decrypt (wrong key, algorithm it does not accept) and a JWE
//     holding an unsigned JWT (alg none) get the clause and the fix.
// The envelope is read from the raw form before oidc-provider replaces the parameter with its plaintext.
import { composeDescription, OAuthError } from '@fapi-sandbox/fapi-core/errors';
import {
  contentEncryptionAlgs,
  isContentEncryptionAlg,
  isKeyManagementAlg,
  jweHeaderOf,
  keyManagementAlgs,
} from '@fapi-sandbox/fapi-core/jose/encryption';
import { quote } from '@fapi-sandbox/fapi-core/jose/reject';
import { decodeJwtsIn } from '@fapi-sandbox/fapi-core/trace';
import { decodeProtectedHeader, type JWTHeaderParameters } from 'jose';
import type Provider from 'oidc-provider';
import { type Client, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { noteCheck, noteJwt } from '../http/trace.js';
import { profileOf, ruleById } from '../profiles/index.js';
import type { ProviderError } from './explain-errors.js';

interface WithEnvelope {
  locals?: {
    requestObjectJwe?: JWTHeaderParameters;
    /** The directory check of the key that signed the request object (participants/signing-key-gate.ts). */
    checkInnerSigningKey?: (jws: string) => Promise<void>;
  };
}

/** Keeps the signing-key gate's check for the decrypted request object of this request. */
export function rememberInnerSigningKeyCheck(res: unknown, check: (jws: string) => Promise<void>): void {
  const target = res as WithEnvelope;
  if (target.locals?.requestObjectJwe) target.locals.checkInnerSigningKey = check;
}

/** Remembers the JWE protected header of the request object in the form, if it is encrypted. */
export function rememberRequestObjectEnvelope(res: unknown, request: string | null | undefined): void {
  const target = res as WithEnvelope;
  const header = jweHeaderOf(request);
  if (header && target.locals) target.locals.requestObjectJwe = header;
}

/** The JWE protected header of this request's request object, when it came encrypted. */
export function requestObjectEnvelope(res: unknown): JWTHeaderParameters | undefined {
  return (res as WithEnvelope).locals?.requestObjectJwe;
}

function explained(ruleId: string, client: unknown, description: string): string {
  const rule = ruleById(profileOf(client as never), ruleId);
  return composeDescription({ description, clause: rule.clause, fix: rule.fix });
}

/**
 * RFC 7515 §4.1.4, OIDC Core §10.1.1: the key that signed an encrypted request object must be one the
 * directory still publishes, as for one sent in clear; checked on the decrypted JWS (the hook runs before
 * oidc-provider verifies the signature).
 */
export async function assertInnerSigningKey(ctx: KoaContextWithOIDC): Promise<void> {
  const check = (ctx.res as WithEnvelope).locals?.checkInnerSigningKey;
  const jws = ctx.oidc.params?.request;
  if (!check || typeof jws !== 'string') return;
  try {
    await check(jws);
  } catch (err) {
    // The gate's refusal, as oidc-provider's own error (it answers anything else with server_error).
    if (err instanceof OAuthError) throw new errors.InvalidRequestObject(err.errorDescription);
    throw err;
  }
}

/** Part of requestObjects.assertJwtClaimsAndHeader: the encryption the client registered. */
export function assertRegisteredEncryption(ctx: KoaContextWithOIDC, client: Client): void {
  const registered = client as unknown as {
    requestObjectEncryptionAlg?: string;
    requestObjectEncryptionEnc?: string;
  };
  const alg = registered.requestObjectEncryptionAlg;
  if (!alg) return;
  const enc = registered.requestObjectEncryptionEnc;
  const jwe = requestObjectEnvelope(ctx.res);
  // OIDC Registration §2: the client said it encrypts its request objects; one in clear was exposed.
  if (!jwe || jwe.alg !== alg || jwe.enc !== enc) {
    const sent = jwe
      ? `encrypted with alg ${quote(jwe.alg, 20)} and enc ${quote(jwe.enc, 20)}`
      : 'in clear (signed only)';
    throw new errors.InvalidRequestObject(
      explained(
        'request-object-encryption-registered',
        client,
        `This client registered request_object_encryption_alg ${alg} and _enc ${enc}, but sent the request object ${sent}`,
      ),
    );
  }
}

/**
 * The error_description for a refusal of an encrypted request object, or undefined when the request
 * carried none or the refusal is about something else.
 */
export function explainRequestObjectEncryption(
  ctx: KoaContextWithOIDC,
  err: ProviderError,
): string | undefined {
  const jwe = requestObjectEnvelope(ctx.res);
  if (!jwe || err.error !== 'invalid_request_object') return undefined;
  const client = ctx.oidc?.client;
  const texts = [err.error_description, err.error_detail, err.message];
  if (texts.includes('could not decrypt request object')) {
    // RFC 7516 §5.2: the recipient decrypts with the key and algorithms the header names, or refuses.
    if (!isKeyManagementAlg(jwe.alg) || !isContentEncryptionAlg(jwe.enc)) {
      return explained(
        'request-object-encryption',
        client,
        `The request object is encrypted with alg ${quote(jwe.alg, 20)} and enc ${quote(jwe.enc, 20)}; this bank accepts alg ${keyManagementAlgs.join(', ')} with enc ${contentEncryptionAlgs.join(', ')}`,
      );
    }
    return explained(
      'request-object-encryption',
      client,
      `The bank could not decrypt the request object (kid ${quote(jwe.kid ?? 'none', 50)}): it is encrypted to a key that is not one of the bank's encryption keys`,
    );
  }
  // OIDC Core §10.2: decrypted, the content must be a signed JWT; oidc-provider refuses alg none.
  if (texts.includes('unsupported signed request alg')) {
    const inner = innerAlgOf(ctx.oidc?.params?.request);
    if (inner === 'none') {
      return explained(
        'request-object-nested-jwt',
        client,
        'The request object decrypts to an unsigned JWT (alg none): encryption hides it but proves nothing about who sent it',
      );
    }
  }
  return undefined;
}

function innerAlgOf(jwt: unknown): string | undefined {
  if (typeof jwt !== 'string') return undefined;
  try {
    return String(decodeProtectedHeader(jwt).alg);
  } catch {
    return undefined;
  }
}

/** Traces, at PAR, that the request object was decrypted with the bank's key and then verified. */
export function traceRequestObjectDecryption(provider: Provider): void {
  provider.on('pushed_authorization_request.success', (ctx: KoaContextWithOIDC) => {
    const jwe = requestObjectEnvelope(ctx.res);
    if (!jwe) return;
    const plaintext = (ctx.oidc.body as { request?: unknown } | undefined)?.request;
    const [decoded] = decodeJwtsIn(plaintext, 'request object (decrypted by bank-op)');
    noteCheck(ctx.res, {
      name: `Request object decrypted with the bank's key ${String(jwe.kid)}, then its signature verified`,
      passed: true,
      clause: 'RFC 9101 §6.1, OIDC Core §10.2',
      detail: `JWE alg ${String(jwe.alg)}, enc ${String(jwe.enc)}; inside, a JWS signed ${String(decoded?.header.alg)} with the client's key ${String(decoded?.header.kid)}`,
    });
    if (decoded) noteJwt(ctx.res, { ...decoded, verified: true });
  });
}
