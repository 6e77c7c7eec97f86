// Where the tests get access tokens. The bank-api tests must use real tokens from a running bank-op;
// until bank-op's `startBankOp` exists, `startStandInIssuer` plays its token-issuing part only: it
// publishes a JWKS at bank-op's jwks_uri (https, sandbox PKI) and signs RFC 9068 tokens the way the
// contract says bank-op will, and it authorises consents the way bank-op's consent page does (through
// the shared bank store). Swapping it for bank-op changes this file, not the tests.
import { randomUUID } from 'node:crypto';
import type { BankStore } from '@fapi-sandbox/bank-domain';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { close, createWebServer, listen } from '@fapi-sandbox/fapi-core/tls';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import type { TestClient } from './clients.js';

export interface CustomerApproval {
  username: string;
  password: string;
  /** Accounts the customer ticks on the consent page. */
  accountIds: string[];
}

export interface TokenSource {
  /** RFC 6749 §4.4: the TPP acting for itself (creating consents). */
  clientCredentials(client: TestClient, scope: 'accounts' | 'payments'): Promise<string>;
  /**
   * The customer authorises `consentId` for the given accounts and the TPP redeems the code for a token
   * naming the consent in openbanking_intent_id.
   */
  authorizationCode(
    client: TestClient,
    scope: 'accounts' | 'payments',
    consentId: string,
    approval: CustomerApproval,
  ): Promise<string>;
  stop(): Promise<void>;
}

/** Claims a test may change to build a token that must be refused (only the stand-in can). */
export type TokenOverrides = Record<string, unknown> & { header?: Record<string, unknown> };

export interface StandInIssuer extends TokenSource {
  /** A token as bank-op would issue, with claims changed or removed (undefined removes). */
  mint(client: TestClient, claims: Record<string, unknown>, overrides?: TokenOverrides): Promise<string>;
  /** A token signed by a key bank-op does not publish. */
  mintWithForeignKey(client: TestClient, claims: Record<string, unknown>): Promise<string>;
}

export async function startStandInIssuer(config: SandboxConfig, store: BankStore): Promise<StandInIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('PS256', { modulusLength: 2048 });
  const foreign = await generateKeyPair('PS256', { modulusLength: 2048 });
  const kid = `stand-in-${randomUUID().slice(0, 8)}`;
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'PS256', use: 'sig' };
  const server = createWebServer(config.bankOp, (req, res) => {
    if (req.url === '/jwks') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await listen(server, config.bankOp.web);

  const cnfOf = (client: TestClient) =>
    client.binding === 'dpop' ? { jkt: client.dpopKey!.jkt } : { 'x5t#S256': client.certificateThumbprint };

  async function sign(
    key: Parameters<SignJWT['sign']>[0],
    keyId: string,
    client: TestClient,
    claims: Record<string, unknown>,
    overrides: TokenOverrides = {},
  ): Promise<string> {
    const { header, ...claimOverrides } = overrides;
    const now = Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      iss: config.bankOp.issuer,
      aud: config.bankApi.web.origin,
      iat: now,
      exp: now + 300,
      jti: randomUUID(),
      client_id: client.clientId,
      sub: client.clientId,
      cnf: cnfOf(client),
      ...claims,
      ...claimOverrides,
    };
    for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'PS256', typ: 'at+jwt', kid: keyId, ...header } as { alg: string })
      .sign(key);
  }

  return {
    mint: (client, claims, overrides) => sign(privateKey, kid, client, claims, overrides),
    mintWithForeignKey: (client, claims) => sign(foreign.privateKey, kid, client, claims),
    clientCredentials: (client, scope) => sign(privateKey, kid, client, { scope }),
    async authorizationCode(client, scope, consentId, approval) {
      const customer = store.customers.authenticate(approval.username, approval.password);
      if (!customer) throw new Error(`stand-in issuer: ${approval.username} cannot log in`);
      store.consents.authorise(consentId, {
        customerId: customer.customerId,
        accountIds: approval.accountIds,
      });
      return sign(privateKey, kid, client, {
        scope: `openid ${scope}`,
        sub: customer.customerId,
        openbanking_intent_id: consentId,
      });
    },
    stop: () => close(server),
  };
}
