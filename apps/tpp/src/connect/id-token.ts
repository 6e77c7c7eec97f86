// OIDC Core §3.1.3.7: the ID token is verified by the client engine; a refusal becomes the TPP's
// PartyError, shown on the connection with the failed check's clause.
import { IdTokenRejected, verifyIdToken as verifyWithEngine } from '@fapi-sandbox/fapi-client';
import { jweHeaderOf } from '@fapi-sandbox/fapi-core/jose/encryption';
import type { CheckResult, DecodedJwt } from '@fapi-sandbox/fapi-core/trace';
import { PartyError } from '../http/party-error.js';
import type { BoundClient } from './bound-client.js';

export async function verifyIdToken(input: {
  idToken: string | undefined;
  client: BoundClient;
  /** None for decoupled authentication (CIBA §7.1: the request carries no nonce). */
  nonce: string | undefined;
  /** The intent the ID token must echo; undefined for a rich authorization request (RFC 9396). */
  consentId: string | undefined;
  /** Filled with every check run, passed or failed, for the trace. */
  checks: CheckResult[];
}): Promise<Record<string, unknown>> {
  const { client } = input;
  try {
    return await verifyWithEngine({
      idToken: input.idToken,
      issuer: client.bank.metadata.issuer,
      clientId: client.clientId,
      bankKeys: client.bank.keys,
      nonce: input.nonce,
      consentId: input.consentId,
      checks: input.checks,
      ...(client.idTokenDecryptionKeys ? { decryptionKeys: client.idTokenDecryptionKeys } : {}),
    });
  } catch (err) {
    if (!(err instanceof IdTokenRejected)) throw err;
    throw new PartyError({
      party: 'bank-op',
      step: 'Verify the ID token',
      upstreamStatus: 200,
      error: 'invalid_id_token',
      description: err.message,
      clause: err.check.clause,
      fix: 'do not trust this authorization; start again, and check the bank’s signing keys and clock',
    });
  }
}

/**
 * OIDC Core §10.2: how the inspector shows an encrypted ID token: the JWE protected header (all anyone but
 * Moneywise sees) and, once decrypted and verified, its claims. A plain ID token keeps the usual step.
 */
export function idTokenTrace(
  encryptedIdToken: unknown,
  claims: Record<string, unknown> | undefined,
): { step: 'id-token' | 'id-token-encrypted'; jwts?: DecodedJwt[] } {
  const header = jweHeaderOf(encryptedIdToken);
  if (!header) return { step: 'id-token' };
  const jwts: DecodedJwt[] = [
    { where: 'id_token (JWE protected header)', header: { ...header }, claims: {} },
  ];
  if (claims) {
    jwts.push({ where: 'id_token (decrypted by Moneywise)', header: {}, claims, verified: true });
  }
  return { step: 'id-token-encrypted', jwts };
}
