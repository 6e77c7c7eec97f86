// The key a client signed with must be one the directory publishes for its software now (the software's
// JWKS, which is the client's jwks_uri). oidc-provider keeps its copy of a client's jwks_uri for at least
// 60 s and fetches it again only once that copy is stale, so on its own it would accept a key the directory
// revoked a moment ago and refuse the new key of a reissued signing certificate for up to a minute. This
// rule asks the directory (answers reused for its max-age, like the status gate's): a kid it no longer
// publishes is refused; a published kid the provider does not know yet makes it fetch the JWKS again.
// RFC 7515 §4.1.4 (kid selects the key), OIDC Core §10.1.1 (on an unknown kid, fetch the JWKS again).
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { isCompactJwe } from '@fapi-sandbox/fapi-core/jose/encryption';
import type { Response } from 'express';
import { jwtHeaderOf } from '../http/request-jwts.js';
import { noteCheck } from '../http/trace.js';
import type { RegisteredClient } from '../provider/client-keys.js';
import { askDirectory, type DirectoryReads } from './directory.js';

const CLAUSE = 'RFC 7515 §4.1.4, OIDC Core §10.1.1';
// RFC 7523 §3: an assertion authenticates the client it names (iss, sub) only with that client's own key.
const ASSERTION_CLAUSE = 'RFC 7523 §3, OIDC Core §10.1.1';

/** A JWT the client signed, and what it is for (which decides the error code of a refusal). */
export interface ClientSignedJwt {
  token: string;
  purpose: 'client_assertion' | 'request_object';
}

export interface SigningKeyGateOptions {
  /** Reuses an answer only for the directory's max-age (index.ts asks fapi-core's client to). */
  directory: Pick<DirectoryReads, 'softwareJwks'>;
  /** Makes the provider fetch the client's jwks_uri again if its copy has no key `kid`. */
  refreshClientKeys(client: RegisteredClient, kid: string): Promise<void>;
}

function kidOf(res: Response, token: string): string | undefined {
  // An encrypted request object names the bank's key; the signature inside is verified after decryption.
  if (isCompactJwe(token)) return undefined;
  const kid = jwtHeaderOf(res.req, token)?.kid;
  return typeof kid === 'string' ? kid : undefined;
}

export function createSigningKeyGate(options: SigningKeyGateOptions) {
  return async function checkSigningKey(
    res: Response,
    jwt: ClientSignedJwt,
    client: { registered: RegisteredClient; orgId: string; softwareId: string },
  ): Promise<void> {
    const kid = kidOf(res, jwt.token);
    // Without a kid the provider tries every key it holds for the algorithm; nothing to look up here.
    if (!kid) return;
    const published = await askDirectory(() =>
      options.directory.softwareJwks(client.orgId, client.softwareId),
    );
    const known = published.keys.some((key) => key.kid === kid);
    const what = jwt.purpose === 'client_assertion' ? 'client assertion' : 'request object';
    noteCheck(res, {
      name: `The key that signed the ${what} is in the software's JWKS at the directory`,
      passed: known,
      clause: jwt.purpose === 'client_assertion' ? ASSERTION_CLAUSE : CLAUSE,
      detail: `kid ${kid} ${known ? 'is' : 'is not'} published for software ${client.softwareId}`,
    });
    if (!known) {
      throw new OAuthError({
        status: jwt.purpose === 'client_assertion' ? 401 : 400,
        error: jwt.purpose === 'client_assertion' ? 'invalid_client' : 'invalid_request_object',
        // Two ways to get here, and the bank cannot tell them apart: a key of another software (an assertion
        // naming someone else's client), or this software's own key after its certificate was revoked.
        description: `The ${what} is signed with key ${kid}, which the directory does not publish for software ${client.softwareId}, the software of the client it names: a key of another software, or one whose signing certificate was revoked or replaced`,
        clause: jwt.purpose === 'client_assertion' ? ASSERTION_CLAUSE : CLAUSE,
        fix: "name your own client_id (iss and sub of an assertion) and sign with a key your software's JWKS at the directory publishes; after a reissue, the new key in certs/participants",
      });
    }
    await options.refreshClientKeys(client.registered, kid);
  };
}
