// A reissued signing key, against the real directory and bank-op: once the directory reissues Moneywise's
// PS256 signing certificate (new key, new kid, published in the software's JWKS), the bank accepts a client
// assertion signed with the new key at once, though its copy of the client's jwks_uri is still fresh (OIDC
// Core §10.1.1: an unknown kid makes it fetch again), and refuses one signed with the old key, whose
// certificate the directory revoked as superseded.
import { setTimeout as sleep } from 'node:timers/promises';
import { type Bend, FapiFlowClient, FLOW_VARIANTS, SIGNING_ALG } from '@fapi-sandbox/fapi-client';
import { type LoadedSigningKey, loadSigningKeys } from '@fapi-sandbox/fapi-core/jose/keys';
import { certificateThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { describe, expect, it } from 'vitest';
import { useReissuingDirectory } from './support/reissuing-directory.js';

const privateKeyJwt = FLOW_VARIANTS.find((v) => v.id === 'fapi2-dpop')!;
/** bank-op remembers the directory's answers this long. */
const STATUS_CACHE_MS = 1000;

describe('the directory reissues Moneywise’s signing certificate', () => {
  const sandbox = useReissuingDirectory({ bankApi: false });

  it('the bank accepts a client assertion signed with the new key at once and refuses the old key', async () => {
    const { config } = sandbox;
    const demo = config.participants.demo;
    const oldKey = (await loadSigningKeys(demo.signingJwks)).forAlg(SIGNING_ALG);
    // Which key signs the client assertion: the one the client loaded at connect until the test says otherwise.
    let signWith: LoadedSigningKey | undefined;
    const bend: Bend = (message) =>
      message.kind === 'jwt' && message.purpose === 'client_assertion' && signWith
        ? {
            ...message,
            header: { ...message.header, kid: signWith.kid },
            key: { key: signWith.key, alg: signWith.alg },
          }
        : undefined;
    const client = await FapiFlowClient.connect({ config, variant: privateKeyJwt, bend });
    try {
      expect((await client.clientCredentialsToken('accounts')).value).toBeTruthy();

      const serialNumber = await sandbox.serialNumberOf(
        certificateThumbprint(Buffer.from(String(oldKey.publicJwk.x5c?.[0]), 'base64')),
      );
      const unconfirmed = await sandbox.reissue(serialNumber, {});
      expect(unconfirmed.status).toBe(400);
      const reissued = await sandbox.reissue<{ certificate: { kid: string } }>(serialNumber, {
        confirm: serialNumber,
      });
      expect(reissued.status).toBe(201);
      const newKey = (await loadSigningKeys(demo.signingJwks)).forAlg(SIGNING_ALG);
      expect(newKey.kid).toBe(reissued.body.certificate.kid);
      expect(newKey.kid).not.toBe(oldKey.kid);
      await sleep(STATUS_CACHE_MS + 200);

      // The new key: bank-op's copy of the jwks_uri is seconds old, yet the unknown kid makes it fetch again.
      signWith = newKey;
      expect((await client.clientCredentialsToken('accounts')).value).toBeTruthy();

      // The old key: its certificate is revoked and it left the software's JWKS, so the bank refuses it.
      signWith = oldKey;
      await expect(client.clientCredentialsToken('accounts')).rejects.toThrow(
        /invalid_client.*signed with key .*which the directory no longer publishes/,
      );
    } finally {
      await client.close();
    }
  });
});
