// Where the tests get access tokens: real ones from a running bank-op, through the flows a TPP runs
// (each client's honest FapiFlowClient). For the refusals bank-op never gives cause for — a token without cnf, with typ JWT,
// a future nbf — `tokenForger` takes a real bank-op token, changes one thing and signs it again with
// bank-op's own key from the sandbox PKI, so only that one thing is wrong.
import { randomUUID } from 'node:crypto';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { loadSigningKeys } from '@fapi-sandbox/fapi-core/jose/keys';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import type { TestClient } from './clients.js';

export interface CustomerApproval {
  username: string;
  password: string;
  /** Accounts the customer ticks on bank-op's consent page. */
  accountIds: string[];
}

export interface TokenSource {
  /** RFC 6749 §4.4: the TPP acting for itself (creating consents). */
  clientCredentials(client: TestClient, scope: 'accounts' | 'payments'): Promise<string>;
  /**
   * PAR + PKCE naming `consentId`, the customer signs in and allows it for the given accounts on bank-op's
   * pages, and the TPP redeems the code for a token carrying openbanking_intent_id.
   */
  authorizationCode(
    client: TestClient,
    scope: 'accounts' | 'payments',
    consentId: string,
    approval: CustomerApproval,
  ): Promise<string>;
}

/** Tokens from bank-op through each test client's FapiFlowClient. */
export function flowClientTokens(): TokenSource {
  return {
    async clientCredentials(client, scope) {
      return (await client.flow.clientCredentialsToken(scope)).value;
    },
    async authorizationCode(client, scope, consentId, approval) {
      const { flow } = client;
      const pending = await flow.pushAuthorizationRequest(consentId, `openid ${scope}`);
      const landing = await flow.customerAuthorizes(pending, approval, approval.accountIds);
      return (await flow.exchangeCode(pending, await flow.authorizationCode(landing, pending))).value;
    },
  };
}

export interface TokenForger {
  /** `token` (a real bank-op token) with claims changed (undefined removes one) and header fields changed. */
  alter(token: string, claims: Record<string, unknown>, header?: Record<string, unknown>): Promise<string>;
  /** `token`'s claims signed by a key bank-op does not publish (with bank-op's kid). */
  signWithForeignKey(token: string): Promise<string>;
}

export async function tokenForger(config: SandboxConfig): Promise<TokenForger> {
  const bankOpKey = (await loadSigningKeys(config.bankOp.signingJwks)).forAlg('PS256');
  const foreign = await generateKeyPair('PS256', { modulusLength: 2048 });
  const resign = (
    token: string,
    key: Parameters<SignJWT['sign']>[0],
    claims: Record<string, unknown>,
    header: Record<string, unknown>,
  ) => {
    const payload: Record<string, unknown> = { ...decodeJwt(token), jti: randomUUID(), ...claims };
    for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
    return new SignJWT(payload)
      .setProtectedHeader({ ...decodeProtectedHeader(token), ...header } as { alg: string })
      .sign(key);
  };
  return {
    alter: (token, claims, header = {}) => resign(token, bankOpKey.key, claims, header),
    signWithForeignKey: (token) => resign(token, foreign.privateKey, {}, {}),
  };
}
