// The authorization response at the redirect URI, as Moneywise receives it: first what only the TPP can
// know (the browser that started the request, whether its state was already used, how long it took),
// then the engine's protocol checks (iss RFC 9207 §2.4, state RFC 6749 §10.12, JARM §4.4).
import {
  AuthorizationResponseRejected,
  type CheckedAuthorizationResponse,
  checkAuthorizationResponse,
  stateOf,
} from '@fapi-sandbox/fapi-client';
import type { CheckResult, DecodedJwt } from '@fapi-sandbox/fapi-core/trace';
import type { PendingAuthorization } from '../store/connections.js';
import type { BoundClient } from './bound-client.js';

export { AuthorizationResponseRejected, stateOf };

/** How long an authorization may take from PAR to callback. */
export const AUTHORIZATION_MAX_AGE_MS = 10 * 60 * 1000;

export type VerifiedResponse = CheckedAuthorizationResponse;

/**
 * JARM §2.2: how the inspector shows an encrypted JARM response: its JWE protected header (all the browser
 * saw) and the claims Moneywise decrypted and verified, the code by its first characters only.
 */
export function responseChecksTrace(decrypted: CheckedAuthorizationResponse['decryptedJarm']): {
  step: 'response-checks' | 'response-checks-encrypted';
  jwts?: DecodedJwt[];
} {
  if (!decrypted) return { step: 'response-checks' };
  const { code, ...claims } = decrypted.claims;
  return {
    step: 'response-checks-encrypted',
    jwts: [
      { where: 'response (JWE protected header)', header: { ...decrypted.jwe }, claims: {} },
      {
        where: 'response (decrypted by Moneywise)',
        header: {},
        claims: { ...claims, ...(typeof code === 'string' ? { code: `${code.slice(0, 8)}…` } : {}) },
        verified: true,
      },
    ],
  };
}

function reject(
  checks: CheckResult[],
  error: string,
  description: string,
  clause: string,
  fix: string,
): never {
  throw new AuthorizationResponseRejected(checks, { status: 400, error, description, clause, fix });
}

/** RFC 6749 §10.12: the state must come back to the browser that started the request (CSRF defence). */
export function startedInThisBrowser(pending: PendingAuthorization, sessionId: string | undefined): boolean {
  return sessionId !== undefined && sessionId === pending.sessionId;
}

export async function verifyAuthorizationResponse(input: {
  params: Record<string, string>;
  pending: PendingAuthorization;
  sessionId: string | undefined;
  client: BoundClient;
  now?: number;
}): Promise<VerifiedResponse> {
  const { params, pending, client } = input;
  const issuer = client.bank.metadata.issuer;
  const checks: CheckResult[] = [];

  const sameBrowser = startedInThisBrowser(pending, input.sessionId);
  checks.push({
    name: 'state belongs to a request this browser started',
    passed: sameBrowser,
    clause: 'RFC 6749 §10.12, FAPI 2.0 SP §5.3.3.2',
    detail: sameBrowser
      ? 'state found, issued to this session'
      : 'state was issued to another browser session',
  });
  if (!sameBrowser) {
    reject(
      checks,
      'invalid_state',
      'This authorization response belongs to a request started in another browser',
      'RFC 6749 §10.12',
      'start the connection again from this browser',
    );
  }
  // A code is redeemed once; a replayed callback is refused before anything is sent to the bank.
  const fresh = pending.completedAt === undefined;
  checks.push({
    name: 'response not already used',
    passed: fresh,
    clause: 'RFC 6749 §10.5',
    detail: fresh ? 'first use of this state' : 'this state was already redeemed',
  });
  if (!fresh) {
    reject(
      checks,
      'invalid_state',
      'This authorization response was already used',
      'RFC 6749 §10.5',
      'start a new connection; a response is good for one use',
    );
  }
  const age = (input.now ?? Date.now()) - pending.createdAt;
  checks.push({
    name: 'response arrived in time',
    passed: age <= AUTHORIZATION_MAX_AGE_MS,
    clause: 'RFC 6749 §4.1.2 (short-lived codes)',
    detail: `${Math.round(age / 1000)} s after the request was pushed`,
  });
  if (age > AUTHORIZATION_MAX_AGE_MS) {
    reject(
      checks,
      'invalid_state',
      'The authorization took longer than 10 minutes',
      'RFC 6749 §4.1.2',
      'start the connection again',
    );
  }

  return checkAuthorizationResponse({
    params,
    state: pending.state,
    issuer,
    clientId: client.clientId,
    bankKeys: client.bank.keys,
    jarm: client.profile.jarm,
    ...(client.jarmDecryption ? { jarmDecryption: client.jarmDecryption } : {}),
    checks,
  });
}
