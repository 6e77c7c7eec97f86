// The authorization response at the redirect URI, checked before its code is trusted: `iss` names the
// bank it came from (RFC 9207 §2.4, FAPI 2.0 SP §5.3.3.2), the state is the one this client sent
// (RFC 6749 §10.12), or, for FAPI 1.0 Advanced, the JARM JWT is verified (JARM §4.4) and carries both;
// decrypted first when the client registered encrypted JARM responses (JARM §2.2).
// Every check, passed or failed, is appended to `checks` and reported to the observer.
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import {
  AuthorizationResponseError,
  type JarmDecryption,
  unverifiedJarmState,
  verifyJarmResponse,
} from '@fapi-sandbox/fapi-core/jose/jarm';
import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';
import type { JWK, JWTHeaderParameters, JWTPayload, JWTVerifyGetKey } from 'jose';
import { type FapiObserver, reportChecks, type StepRef } from './observer.js';

/** An authorization response the client refused, with every check it ran (the failed one last). */
export class AuthorizationResponseRejected extends OAuthError {
  constructor(
    readonly checks: CheckResult[],
    init: ConstructorParameters<typeof OAuthError>[0],
  ) {
    super(init);
    this.name = 'AuthorizationResponseRejected';
  }
}

/**
 * The state of a callback: the query's, or (unverified, only to find the request) the JARM response's,
 * decrypted with the client's keys when it is a JWE (JARM §2.2).
 */
export async function stateOf(
  params: Record<string, string>,
  decryptionKeys?: { keys: JWK[] },
): Promise<string | undefined> {
  return params.response ? unverifiedJarmState(params.response, decryptionKeys) : params.state;
}

export interface AuthorizationResponseInput {
  /** The callback's query parameters. */
  params: Record<string, string>;
  /** The state this client sent with the request. */
  state: string;
  /** The issuer the request went to, and the client it was for. */
  issuer: string;
  clientId: string;
  /** The bank's signing keys (JARM). */
  bankKeys: JWTVerifyGetKey;
  /** Whether the client asked for a JARM response (response_mode=jwt). */
  jarm: boolean;
  /** JARM §3: the client registered authorization_encrypted_response_alg/enc; decrypt with these keys. */
  jarmDecryption?: JarmDecryption;
  /** Checks already run by the caller (session, replay, age); these are appended. */
  checks?: CheckResult[];
  observer?: FapiObserver;
  step?: StepRef;
}

const STEP: StepRef = { step: 'authorization-response', clause: 'RFC 9207 §2.4, RFC 6749 §10.12, JARM §4.4' };

export interface CheckedAuthorizationResponse {
  code: string;
  checks: CheckResult[];
  /** An encrypted JARM response: its JWE protected header and the verified claims inside (JARM §2.2). */
  decryptedJarm?: { jwe: JWTHeaderParameters; claims: JWTPayload };
}

/** Returns the code once every check passed; throws AuthorizationResponseRejected otherwise. */
export async function checkAuthorizationResponse(
  input: AuthorizationResponseInput,
): Promise<CheckedAuthorizationResponse> {
  const { params, issuer } = input;
  const checks = input.checks ?? [];
  const step = input.step ?? STEP;
  const record = (check: CheckResult) => {
    checks.push(check);
    reportChecks(input.observer, step, [check]);
  };
  const reject = (error: string, description: string, clause: string, fix: string): never => {
    throw new AuthorizationResponseRejected(checks, { status: 400, error, description, clause, fix });
  };
  const bankError = (error: string, description: string | undefined, clause: string): never => {
    throw new AuthorizationResponseRejected(checks, {
      status: 400,
      error,
      description: `The bank answered with error '${error}'${description ? `: ${description}` : ''}`,
      clause,
      fix:
        error === 'access_denied'
          ? 'the customer declined; connect again if they change their mind'
          : 'read the bank’s description and start again',
    });
  };

  if (input.jarm) {
    // FAPI 1.0 Adv §5.2.2-2 / JARM §4.4: only a verified JWT response is trusted.
    if (!params.response) {
      record({
        name: 'JARM response present',
        passed: false,
        clause: 'JARM §2.3.4',
        detail: 'the callback has no response parameter',
      });
      reject(
        'invalid_request',
        'The bank answered without a JARM response although response_mode=jwt was requested',
        'JARM §2.3.4, FAPI 1.0 Adv §5.2.2-2',
        'check the bank supports response_mode=jwt',
      );
    }
    let jarm: Awaited<ReturnType<typeof verifyJarmResponse>>;
    try {
      jarm = await verifyJarmResponse({
        response: params.response,
        issuer,
        clientId: input.clientId,
        opKeys: input.bankKeys,
        ...(input.jarmDecryption ? { decryption: input.jarmDecryption } : {}),
      });
    } catch (err) {
      if (err instanceof AuthorizationResponseError) {
        record({
          name: 'JARM response signed by the bank',
          passed: true,
          clause: 'JARM §4.4',
          detail: `the bank answered error ${err.error}`,
        });
        return bankError(err.error, err.opErrorDescription, 'RFC 6749 §4.1.2.1, JARM §4.1');
      }
      const oauth = err instanceof OAuthError ? err : undefined;
      record({
        name: 'JARM response verifies',
        passed: false,
        clause: oauth?.clause ?? 'JARM §4.4',
        detail: oauth?.description ?? String(err),
      });
      return reject(
        oauth?.error ?? 'invalid_request',
        oauth?.description ?? 'The JARM response does not verify',
        oauth?.clause ?? 'JARM §4.4',
        oauth?.fix ?? 'discard the response and start again',
      );
    }
    if (jarm.jwe) {
      // JARM §2.2: signed by the bank, then encrypted to Moneywise; the browser saw only this header.
      record({
        name: "JARM response encrypted to Moneywise's key, then decrypted",
        passed: true,
        clause: 'JARM §2.2, RFC 7516',
        detail: `JWE protected header ${JSON.stringify(jarm.jwe)}`,
      });
    }
    record({
      name: 'JARM response signed by the bank, for Moneywise, not expired',
      passed: true,
      clause: 'JARM §4.4',
      detail: `iss ${jarm.iss}, aud ${input.clientId}`,
    });
    const stateMatches = jarm.state === input.state;
    record({
      name: 'JARM state matches the request',
      passed: stateMatches,
      clause: 'JARM §4.4, RFC 6749 §4.1.2',
      detail: stateMatches ? 'same state' : 'different state',
    });
    if (!stateMatches) {
      reject(
        'invalid_state',
        'The JARM response carries another state',
        'JARM §4.4',
        'start the connection again',
      );
    }
    return {
      code: jarm.code,
      checks,
      ...(jarm.jwe ? { decryptedJarm: { jwe: jarm.jwe, claims: jarm.claims } } : {}),
    };
  }

  // RFC 9207 §2.4: compare iss with the issuer the request went to, before anything else in the response.
  const iss = params.iss;
  const issMatches = iss === issuer;
  record({
    name: 'iss is the bank the request was sent to',
    passed: issMatches,
    clause: 'RFC 9207 §2.4, FAPI 2.0 SP §5.3.3.2',
    detail: iss === undefined ? 'no iss parameter in the response' : `iss ${iss}; expected ${issuer}`,
  });
  if (!issMatches) {
    reject(
      'invalid_issuer',
      iss === undefined
        ? 'The authorization response has no iss parameter'
        : `The authorization response came from ${iss}, not ${issuer}`,
      'RFC 9207 §2.4',
      'discard this response: an issuer mismatch is what a mix-up attack looks like',
    );
  }
  // RFC 6749 §10.12: the state ties the response to the request this client made (CSRF defence).
  const stateMatches = params.state === input.state;
  record({
    name: 'state matches the request',
    passed: stateMatches,
    clause: 'RFC 6749 §10.12',
    detail: stateMatches ? 'same state' : 'different state',
  });
  if (!stateMatches) {
    reject(
      'invalid_state',
      'The authorization response carries another state',
      'RFC 6749 §10.12',
      'start the connection again',
    );
  }
  if (params.error) bankError(params.error, params.error_description, 'RFC 6749 §4.1.2.1');
  if (!params.code) {
    record({ name: 'code present', passed: false, clause: 'RFC 6749 §4.1.2', detail: 'no code parameter' });
    reject(
      'invalid_request',
      'The authorization response has neither a code nor an error',
      'RFC 6749 §4.1.2',
      'start the connection again',
    );
  }
  return { code: params.code as string, checks };
}
