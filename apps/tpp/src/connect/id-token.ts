// OIDC Core §3.1.3.7: the ID token from the token endpoint is verified before the connection is trusted:
// the bank's signature, iss, aud, exp, the nonce of this request, and the consent id it echoes.
import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';
import { errors, jwtVerify } from 'jose';
import { PartyError } from '../http/party-error.js';
import type { BoundClient } from './bound-client.js';

export async function verifyIdToken(input: {
  idToken: string | undefined;
  client: BoundClient;
  nonce: string;
  consentId: string;
  /** Filled with every check run, passed or failed, for the trace. */
  checks: CheckResult[];
}): Promise<Record<string, unknown>> {
  const { client, checks } = input;
  const fail = (name: string, detail: string, clause: string): never => {
    checks.push({ name, passed: false, clause, detail });
    throw new PartyError({
      party: 'bank-op',
      step: 'Verify the ID token',
      upstreamStatus: 200,
      error: 'invalid_id_token',
      description: `The ID token failed a check: ${name} (${detail})`,
      clause,
      fix: 'do not trust this authorization; start again, and check the bank’s signing keys and clock',
    });
  };
  // OIDC Core §3.1.3.3: a token response to an openid request contains an ID token.
  if (!input.idToken) fail('ID token present', 'the token response has no id_token', 'OIDC Core §3.1.3.3');
  let claims: Record<string, unknown> = {};
  try {
    const verified = await jwtVerify(input.idToken as string, client.bank.keys, {
      issuer: client.bank.metadata.issuer,
      audience: client.clientId,
      algorithms: ['PS256', 'ES256'],
    });
    claims = verified.payload as Record<string, unknown>;
    checks.push({
      name: 'signed by the bank, for Moneywise, not expired',
      passed: true,
      clause: 'OIDC Core §3.1.3.7 steps 2-3, 6, 9',
      detail: `${verified.protectedHeader.alg} kid ${String(verified.protectedHeader.kid)}; iss ${String(claims.iss)}; aud ${client.clientId}`,
    });
  } catch (err) {
    const reason = err instanceof errors.JOSEError ? `${err.code}: ${err.message}` : String(err);
    fail('signed by the bank, for Moneywise, not expired', reason, 'OIDC Core §3.1.3.7');
  }
  // OIDC Core §3.1.3.7 step 11: the nonce of this authorization request (stops ID token replay).
  if (claims.nonce !== input.nonce)
    fail('nonce matches the request', `nonce ${String(claims.nonce)}`, 'OIDC Core §3.1.3.7 step 11');
  checks.push({
    name: 'nonce matches the request',
    passed: true,
    clause: 'OIDC Core §3.1.3.7 step 11',
    detail: 'same nonce',
  });
  // UK OB Security Profile: the ID token echoes the consent the customer authorised.
  if (claims.openbanking_intent_id !== input.consentId) {
    fail(
      'openbanking_intent_id is our consent',
      `ID token says ${String(claims.openbanking_intent_id)}; we asked for ${input.consentId}`,
      'UK OB Security Profile §ID Token (openbanking_intent_id)',
    );
  }
  checks.push({
    name: 'openbanking_intent_id is our consent',
    passed: true,
    clause: 'UK OB Security Profile §ID Token (openbanking_intent_id)',
    detail: input.consentId,
  });
  return claims;
}
