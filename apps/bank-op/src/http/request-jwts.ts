// The JWTs a request carries (client assertion, request object, DPoP proof) are read by several of bank-op's
// steps before and after oidc-provider: the status gate (which client is calling), the signing-key gate (the
// kid) and the token endpoint's trace (what the checks saw). Each is decoded once per request and read by
// all of them. Decoding is not verifying: oidc-provider verifies every one of these JWTs itself; nothing
// here decides trust. Kept by the request object, so an answer is gone with its request and never read by
// another request, not even one with the same bytes.
import type { IncomingMessage } from 'node:http';
import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose';

/** Each part decoded when first asked for; null when it does not decode. */
interface Decoding {
  header?: ProtectedHeaderParameters | null;
  claims?: JWTPayload | null;
}

const decodingsOf = new WeakMap<IncomingMessage, Map<string, Decoding>>();

function decodingOf(req: IncomingMessage, jwt: string): Decoding {
  let decodings = decodingsOf.get(req);
  if (!decodings) {
    decodings = new Map();
    decodingsOf.set(req, decodings);
  }
  let decoding = decodings.get(jwt);
  if (!decoding) {
    decoding = {};
    decodings.set(jwt, decoding);
  }
  return decoding;
}

function attempt<T>(decode: () => T): T | null {
  try {
    return decode();
  } catch {
    return null; // not a JWT: oidc-provider refuses it with its own error
  }
}

/** The protected header of a JWS or JWE `jwt` in `req`, unverified; undefined when it is none. */
export function jwtHeaderOf(req: IncomingMessage, jwt: string): ProtectedHeaderParameters | undefined {
  const decoding = decodingOf(req, jwt);
  if (decoding.header === undefined) decoding.header = attempt(() => decodeProtectedHeader(jwt));
  return decoding.header ?? undefined;
}

/** The claims of a JWS `jwt` in `req`, unverified; undefined for a JWE or anything that is no JWT. */
export function jwtClaimsOf(req: IncomingMessage, jwt: string): JWTPayload | undefined {
  const decoding = decodingOf(req, jwt);
  if (decoding.claims === undefined) decoding.claims = attempt(() => decodeJwt(jwt));
  return decoding.claims ?? undefined;
}
