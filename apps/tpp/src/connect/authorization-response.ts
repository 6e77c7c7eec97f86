// The authorization response at the redirect URI, checked before its code is trusted: the state ties it
// to a request this browser started (RFC 6749 §10.12), `iss` names the bank it came from (RFC 9207 §2.4),
// or, for FAPI 1.0 Advanced, the JARM JWT is verified (JARM §4.4) and carries both.
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { AuthorizationResponseError, verifyJarmResponse } from '@fapi-sandbox/fapi-core/jose/jarm';
import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';
import { decodeJwt } from 'jose';
import type { PendingAuthorization } from '../store/connections.js';
import type { BoundClient } from './bound-client.js';

/** How long an authorization may take from PAR to callback. */
export const AUTHORIZATION_MAX_AGE_MS = 10 * 60 * 1000;

export class AuthorizationResponseRejected extends OAuthError {
  constructor(
    readonly checks: CheckResult[],
    init: ConstructorParameters<typeof OAuthError>[0],
  ) {
    super(init);
    this.name = 'AuthorizationResponseRejected';
  }
}

/** The state of a callback: the query's, or (unverified, only to find the request) the JARM response's. */
export function stateOf(params: Record<string, string>): string | undefined {
  if (params.response) {
    try {
      const state = decodeJwt(params.response).state;
      return typeof state === 'string' ? state : undefined;
    } catch {
      return undefined;
    }
  }
  return params.state;
}

export interface VerifiedResponse {
  code: string;
  checks: CheckResult[];
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

  // RFC 6749 §10.12: the state must come back to the browser that started the request (CSRF defence).
  const sameBrowser = input.sessionId !== undefined && input.sessionId === pending.sessionId;
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

  if (client.profile.jarm) {
    // FAPI 1.0 Adv §5.2.2-2 / JARM §4.4: only a verified JWT response is trusted.
    if (!params.response) {
      checks.push({
        name: 'JARM response present',
        passed: false,
        clause: 'JARM §2.3.4',
        detail: 'the callback has no response parameter',
      });
      reject(
        checks,
        'invalid_request',
        'The bank answered without a JARM response although response_mode=jwt was requested',
        'JARM §2.3.4, FAPI 1.0 Adv §5.2.2-2',
        'check the bank supports response_mode=jwt',
      );
    }
    try {
      const jarm = await verifyJarmResponse({
        response: params.response,
        issuer,
        clientId: client.clientId,
        opKeys: client.bank.keys,
      });
      checks.push({
        name: 'JARM response signed by the bank, for Moneywise, not expired',
        passed: true,
        clause: 'JARM §4.4',
        detail: `iss ${jarm.iss}, aud ${client.clientId}`,
      });
      const stateMatches = jarm.state === pending.state;
      checks.push({
        name: 'JARM state matches the request',
        passed: stateMatches,
        clause: 'JARM §4.4, RFC 6749 §4.1.2',
        detail: stateMatches ? 'same state' : 'different state',
      });
      if (!stateMatches)
        reject(
          checks,
          'invalid_state',
          'The JARM response carries another state',
          'JARM §4.4',
          'start the connection again',
        );
      return { code: jarm.code, checks };
    } catch (err) {
      if (err instanceof AuthorizationResponseRejected) throw err;
      if (err instanceof AuthorizationResponseError) {
        checks.push({
          name: 'JARM response signed by the bank',
          passed: true,
          clause: 'JARM §4.4',
          detail: `the bank answered error ${err.error}`,
        });
        throw new AuthorizationResponseRejected(checks, {
          status: 400,
          error: err.error,
          description: `The bank answered with error '${err.error}'${err.opErrorDescription ? `: ${err.opErrorDescription}` : ''}`,
          clause: 'RFC 6749 §4.1.2.1, JARM §4.1',
          fix:
            err.error === 'access_denied'
              ? 'the customer declined; connect again if they change their mind'
              : 'read the bank’s description and start again',
        });
      }
      const oauth = err instanceof OAuthError ? err : undefined;
      checks.push({
        name: 'JARM response verifies',
        passed: false,
        clause: oauth?.clause ?? 'JARM §4.4',
        detail: oauth?.description ?? String(err),
      });
      throw new AuthorizationResponseRejected(checks, {
        status: 400,
        error: oauth?.error ?? 'invalid_request',
        description: oauth?.description ?? 'The JARM response does not verify',
        clause: oauth?.clause ?? 'JARM §4.4',
        fix: oauth?.fix ?? 'discard the response and start again',
      });
    }
  }

  // RFC 9207 §2.4: compare iss with the issuer the request went to, before anything else in the response.
  const iss = params.iss;
  const issMatches = iss === issuer;
  checks.push({
    name: 'iss is the bank the request was sent to',
    passed: issMatches,
    clause: 'RFC 9207 §2.4, FAPI 2.0 SP §5.3.3.2',
    detail: iss === undefined ? 'no iss parameter in the response' : `iss ${iss}; expected ${issuer}`,
  });
  if (!issMatches) {
    reject(
      checks,
      'invalid_issuer',
      iss === undefined
        ? 'The authorization response has no iss parameter'
        : `The authorization response came from ${iss}, not ${issuer}`,
      'RFC 9207 §2.4',
      'discard this response: an issuer mismatch is what a mix-up attack looks like',
    );
  }
  if (params.error) {
    throw new AuthorizationResponseRejected(checks, {
      status: 400,
      error: params.error,
      description: `The bank answered with error '${params.error}'${params.error_description ? `: ${params.error_description}` : ''}`,
      clause: 'RFC 6749 §4.1.2.1',
      fix:
        params.error === 'access_denied'
          ? 'the customer declined; connect again if they change their mind'
          : 'read the bank’s description and start again',
    });
  }
  if (!params.code) {
    checks.push({
      name: 'code present',
      passed: false,
      clause: 'RFC 6749 §4.1.2',
      detail: 'no code parameter',
    });
    reject(
      checks,
      'invalid_request',
      'The authorization response has neither a code nor an error',
      'RFC 6749 §4.1.2',
      'start the connection again',
    );
  }
  return { code: params.code, checks };
}
