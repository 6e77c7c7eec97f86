// The revoke lesson undone, against the real directory, bank-op and bank-api: once the directory reissues
// Moneywise's transport certificate, the bank refuses the old certificate (and the tokens bound to it) at the
// next call, and accepts the new one, which the directory wrote where the participant's parties read it.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FapiFlowClient, FLOW_VARIANTS } from '@fapi-sandbox/fapi-client';
import { certificateThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { demoCustomer } from './support/parties.js';
import { useReissuingDirectory } from './support/reissuing-directory.js';

const mtls = FLOW_VARIANTS.find((v) => v.id === 'fapi2-mtls')!;
/** bank-api remembers a certificate's status this long. */
const STATUS_CACHE_MS = 1000;

describe('the directory reissues Moneywise’s transport certificate', () => {
  const sandbox = useReissuingDirectory({ bankApi: true });

  async function reissue(serialNumber: string) {
    const response = await sandbox.reissue<{
      certificate: { x5tS256: string };
      revoked: { serialNumber: string };
    }>(serialNumber, { confirm: serialNumber });
    expect(response.status).toBe(201);
    return response.body;
  }

  it('the bank refuses the old certificate and its tokens at the next call, and accepts the new one', async () => {
    const { config } = sandbox;
    const demo = config.participants.demo;
    const oldPem = fs.readFileSync(demo.transportCert, 'utf8');
    const before = await FapiFlowClient.connect({ config, variant: mtls });
    try {
      const oldToken = await before.clientCredentialsToken('accounts');
      expect(decodeJwt(oldToken.value).cnf).toEqual({ 'x5t#S256': certificateThumbprint(oldPem) });

      const reissued = await reissue(new X509Certificate(oldPem).serialNumber.toUpperCase());
      await sleep(STATUS_CACHE_MS + 200);

      // The old certificate: bank-op refuses to issue a token, bank-api refuses the token bound to it.
      await expect(before.clientCredentialsToken('accounts')).rejects.toThrow(/revoked/);
      const refused = await before.api(oldToken, 'POST', '/aisp/account-access-consents', {
        Data: { Permissions: ['ReadAccountsBasic'] },
        Risk: {},
      });
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.status).toBeLessThan(500);
      expect(JSON.stringify(refused.body)).toMatch(/revoked/);

      // The new certificate, read from the files the directory wrote (under new names: readPem caches by path).
      const folder = fs.mkdtempSync(path.join(config.dataDir, 'reissued-'));
      const renewed = {
        ...demo,
        transportCert: path.join(folder, 'transport.crt'),
        transportKey: path.join(folder, 'transport.key'),
      };
      fs.copyFileSync(demo.transportCert, renewed.transportCert);
      fs.copyFileSync(demo.transportKey, renewed.transportKey);
      expect(certificateThumbprint(fs.readFileSync(renewed.transportCert, 'utf8'))).toBe(
        reissued.certificate.x5tS256,
      );
      const after = await FapiFlowClient.connect({ config, variant: mtls, participant: renewed });
      try {
        const consentId = await after.createAccountAccessConsent(
          await after.clientCredentialsToken('accounts'),
        );
        const pending = await after.pushAuthorizationRequest(consentId);
        const code = await after.authorizationCode(
          await after.customerAuthorizes(pending, demoCustomer()),
          pending,
        );
        const token = await after.exchangeCode(pending, code);
        expect(decodeJwt(token.value).cnf).toEqual({ 'x5t#S256': reissued.certificate.x5tS256 });
        expect((await after.api(token, 'GET', '/aisp/accounts')).status).toBe(200);
      } finally {
        await after.close();
      }
    } finally {
      await before.close();
    }
  });
});
