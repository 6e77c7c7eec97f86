// A reissued signing key, against the real directory, bank-op and bank-api: once the directory reissues
// Moneywise's PS256 signing certificate (new key, new kid, published in the software's JWKS), the bank accepts
// what is signed with the new key at once, though its copy of the client's jwks_uri is still fresh (OIDC Core
// §10.1.1: an unknown kid makes it fetch again), and refuses what is signed with the old key, whose
// certificate the directory revoked as superseded: client assertions and request objects alike.
import { setTimeout as sleep } from 'node:timers/promises';
import { type Bend, FapiFlowClient, FLOW_VARIANTS, SIGNING_ALG } from '@fapi-sandbox/fapi-client';
import { type LoadedSigningKey, loadSigningKeys } from '@fapi-sandbox/fapi-core/jose/keys';
import { certificateThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { describe, expect, it } from 'vitest';
import { useReissuingDirectory } from './support/reissuing-directory.js';

/** bank-op remembers the directory's answers this long. */
const STATUS_CACHE_MS = 1000;

type SignedByClient = 'client_assertion' | 'request_object';

/** Signs the client's JWTs with the keys named here instead of the ones it loaded at connect. */
function signingWith(keys: Partial<Record<SignedByClient, LoadedSigningKey>>): Bend {
  return (message) => {
    if (message.kind !== 'jwt' || message.purpose === 'dpop_proof') return undefined;
    const key = keys[message.purpose];
    if (!key) return undefined;
    return { ...message, header: { ...message.header, kid: key.kid }, key: { key: key.key, alg: key.alg } };
  };
}

describe('the directory reissues Moneywise’s signing certificate', () => {
  const sandbox = useReissuingDirectory({ bankApi: true });

  /** Reissues the certificate of the PS256 key in certs/participants now (refused first without confirm). */
  async function reissueSigningKey(): Promise<{ oldKey: LoadedSigningKey; newKey: LoadedSigningKey }> {
    const file = sandbox.config.participants.demo.signingJwks;
    const oldKey = (await loadSigningKeys(file)).forAlg(SIGNING_ALG);
    const serialNumber = await sandbox.serialNumberOf(
      certificateThumbprint(Buffer.from(String(oldKey.publicJwk.x5c?.[0]), 'base64')),
    );
    expect((await sandbox.reissue(serialNumber, {})).status).toBe(400);
    const reissued = await sandbox.reissue<{ certificate: { kid: string } }>(serialNumber, {
      confirm: serialNumber,
    });
    expect(reissued.status).toBe(201);
    const newKey = (await loadSigningKeys(file)).forAlg(SIGNING_ALG);
    expect(newKey.kid).toBe(reissued.body.certificate.kid);
    expect(newKey.kid).not.toBe(oldKey.kid);
    await sleep(STATUS_CACHE_MS + 200);
    return { oldKey, newKey };
  }

  /** A registered client whose JWTs are signed with the keys the test puts in `keys` (its own until then). */
  async function connectSigningWith(id: string) {
    const keys: Partial<Record<SignedByClient, LoadedSigningKey>> = {};
    const client = await FapiFlowClient.connect({
      config: sandbox.config,
      variant: FLOW_VARIANTS.find((v) => v.id === id)!,
      bend: signingWith(keys),
    });
    return { client, keys };
  }

  it('the bank accepts a client assertion signed with the new key at once and refuses the old key', async () => {
    const { client, keys } = await connectSigningWith('fapi2-dpop');
    try {
      expect((await client.clientCredentialsToken('accounts')).value).toBeTruthy();
      const { oldKey, newKey } = await reissueSigningKey();

      // The new key: bank-op's copy of the jwks_uri is seconds old, yet the unknown kid makes it fetch again.
      keys.client_assertion = newKey;
      expect((await client.clientCredentialsToken('accounts')).value).toBeTruthy();

      // The old key: its certificate is revoked and it left the software's JWKS, so the bank refuses it.
      keys.client_assertion = oldKey;
      await expect(client.clientCredentialsToken('accounts')).rejects.toThrow(
        /invalid_client.*signed with key .*which the directory does not publish/,
      );
    } finally {
      await client.close();
    }
  });

  it('the bank refuses a request object signed with the old key (FAPI 1.0 Advanced) and accepts the new one', async () => {
    const { client, keys } = await connectSigningWith('fapi1-advanced');
    try {
      const consentId = await client.createAccountAccessConsent(
        await client.clientCredentialsToken('accounts'),
      );
      const { oldKey, newKey } = await reissueSigningKey();
      keys.client_assertion = newKey;

      keys.request_object = oldKey;
      await expect(client.pushAuthorizationRequest(consentId)).rejects.toThrow(
        /invalid_request_object.*request object is signed with key .*which the directory does not publish/,
      );
      keys.request_object = newKey;
      expect((await client.pushAuthorizationRequest(consentId)).requestUri).toMatch(/^urn:/);
    } finally {
      await client.close();
    }
  });
});
