// OIDC Core §3.1.3.7: the ID token from the token endpoint is verified before the authorization is
// trusted: the bank's signature, iss, aud, exp, the nonce of this request, and (UK OB Security Profile)
// the consent id it echoes. Every check, passed or failed, is appended to `checks`.
import { everyProfileSigningAlgs } from '@fapi-sandbox/fapi-core/jose/algorithms';
import { decryptNestedJwt, isCompactJwe } from '@fapi-sandbox/fapi-core/jose/encryption';
import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';
import { errors, type JWK, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { type FapiObserver, reportChecks, type StepRef } from './observer.js';

/** An ID token the client refused: the check that failed, with its clause. */
export class IdTokenRejected extends Error {
  constructor(readonly check: CheckResult) {
    super(`The ID token failed a check: ${check.name} (${check.detail})`);
    this.name = 'IdTokenRejected';
  }
}

const STEP: StepRef = { step: 'id-token', clause: 'OIDC Core §3.1.3.7' };

export async function verifyIdToken(input: {
  idToken: unknown;
  issuer: string;
  clientId: string;
  bankKeys: JWTVerifyGetKey;
  /** The request's nonce; none for decoupled authentication, whose request has no nonce (CIBA §7.1). */
  nonce: string | undefined;
  /** The intent the customer authorised; undefined for a rich authorization request, which names none. */
  consentId: string | undefined;
  /** Filled with every check run, passed or failed. */
  checks?: CheckResult[];
  observer?: FapiObserver;
  step?: StepRef;
  /**
   * OIDC Core §10.2: the client's private encryption keys, when it registered id_token_encrypted_response_alg:
   * the ID token must then arrive encrypted, and is decrypted before the checks below.
   */
  decryptionKeys?: { keys: JWK[] };
}): Promise<Record<string, unknown>> {
  const checks = input.checks ?? [];
  const record = (check: CheckResult) => {
    checks.push(check);
    reportChecks(input.observer, input.step ?? STEP, [check]);
  };
  const fail = (name: string, detail: string, clause: string): never => {
    const check = { name, passed: false, clause, detail };
    record(check);
    throw new IdTokenRejected(check);
  };
  // OIDC Core §3.1.3.3: a token response to an openid request contains an ID token.
  if (typeof input.idToken !== 'string' || !input.idToken) {
    fail('ID token present', 'the token response has no id_token', 'OIDC Core §3.1.3.3');
  }
  let signed = input.idToken as string;
  if (input.decryptionKeys) {
    // OIDC Core §10.2: signed by the bank, then encrypted to the client; a JWS in clear was exposed.
    const name = "ID token encrypted to Moneywise's key, then decrypted";
    if (!isCompactJwe(signed)) fail(name, 'the ID token arrived in clear (a JWS)', 'OIDC Core §10.2');
    try {
      const decrypted = await decryptNestedJwt(signed, input.decryptionKeys);
      signed = decrypted.jws;
      record({
        name,
        passed: true,
        clause: 'OIDC Core §10.2, RFC 7516',
        detail: `JWE protected header ${JSON.stringify(decrypted.header)}`,
      });
    } catch (err) {
      fail(name, err instanceof Error ? err.message : String(err), 'OIDC Core §10.2, RFC 7516 §5.2');
    }
  }
  let claims: Record<string, unknown> = {};
  try {
    const verified = await jwtVerify(signed, input.bankKeys, {
      issuer: input.issuer,
      audience: input.clientId,
      // FAPI 2.0 SP §5.4.1, FAPI 1.0 Adv §8.6: what both profiles allow the bank to sign with.
      algorithms: [...everyProfileSigningAlgs()],
    });
    claims = verified.payload as Record<string, unknown>;
    record({
      name: 'signed by the bank, for Moneywise, not expired',
      passed: true,
      clause: 'OIDC Core §3.1.3.7 steps 2-3, 6, 9',
      detail: `${verified.protectedHeader.alg} kid ${String(verified.protectedHeader.kid)}; iss ${String(claims.iss)}; aud ${input.clientId}`,
    });
  } catch (err) {
    const reason = err instanceof errors.JOSEError ? `${err.code}: ${err.message}` : String(err);
    fail('signed by the bank, for Moneywise, not expired', reason, 'OIDC Core §3.1.3.7');
  }
  // OIDC Core §3.1.3.7 step 11: the nonce of this authorization request (stops ID token replay). A
  // decoupled request has none (CIBA §7.1): its auth_req_id, redeemed once, ties the tokens to it.
  const nonceCheck =
    input.nonce === undefined ? 'no nonce, as the request sent none' : 'nonce matches the request';
  const nonceClause = input.nonce === undefined ? 'CIBA §7.1, §10.1.1' : 'OIDC Core §3.1.3.7 step 11';
  if (claims.nonce !== input.nonce) fail(nonceCheck, `nonce ${String(claims.nonce)}`, nonceClause);
  record({
    name: nonceCheck,
    passed: true,
    clause: nonceClause,
    detail: input.nonce === undefined ? 'no nonce claim' : 'same nonce',
  });
  // RFC 9396: with authorization_details there is no intent to echo; the token response carries the grant.
  if (input.consentId === undefined) return claims;
  // UK OB Security Profile: the ID token echoes the consent the customer authorised.
  if (claims.openbanking_intent_id !== input.consentId) {
    fail(
      'openbanking_intent_id is our consent',
      `ID token says ${String(claims.openbanking_intent_id)}; we asked for ${input.consentId}`,
      'UK OB Security Profile §ID Token (openbanking_intent_id)',
    );
  }
  record({
    name: 'openbanking_intent_id is our consent',
    passed: true,
    clause: 'UK OB Security Profile §ID Token (openbanking_intent_id)',
    detail: input.consentId,
  });
  return claims;
}
