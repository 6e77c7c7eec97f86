// The directory and bank-op (and bank-api when asked) on their own copy of the certificates, for a test
// file that reissues a fixture participant's certificate: the reissue rewrites files under certs/participants.
import { startBankApi } from '@fapi-sandbox/bank-api';
import { startBankOp } from '@fapi-sandbox/bank-op';
import { startDirectory } from '@fapi-sandbox/directory';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { isolatedConfigWithOwnCertificates, removeTestData } from '@fapi-sandbox/fapi-core/testing';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { fetch } from 'undici';
import { afterAll, beforeAll } from 'vitest';
import type { Stoppable } from './parties.js';

export interface ReissuingDirectory {
  config: SandboxConfig;
  /** POST /certificates/{serial}/reissue as the directory admin. */
  reissue<T>(serialNumber: string, body: unknown): Promise<{ status: number; body: T }>;
  /** The serial number of the directory's certificate with this x5t#S256 (GET /certificate-status). */
  serialNumberOf(x5tS256: string): Promise<string>;
}

export function useReissuingDirectory(options: { bankApi: boolean }): ReissuingDirectory {
  let parties: Stoppable[] = [];
  let adminCredential = '';
  let web: ReturnType<typeof createSandboxAgent> | undefined;
  const handle: ReissuingDirectory = {
    config: undefined as unknown as SandboxConfig,
    async reissue(serialNumber, body) {
      const response = await fetch(
        `${handle.config.directory.web.origin}/certificates/${serialNumber}/reissue`,
        {
          method: 'POST',
          dispatcher: web,
          headers: { authorization: `Bearer ${adminCredential}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        },
      );
      return { status: response.status, body: (await response.json()) as never };
    },
    async serialNumberOf(x5tS256) {
      const query = new URLSearchParams({ 'x5t#S256': x5tS256 });
      const response = await fetch(`${handle.config.directory.web.origin}/certificate-status?${query}`, {
        dispatcher: web,
      });
      return ((await response.json()) as { serialNumber: string }).serialNumber;
    },
  };

  beforeAll(async () => {
    handle.config = await isolatedConfigWithOwnCertificates();
    web = createSandboxAgent({}, handle.config);
    const directory = await startDirectory({ config: handle.config });
    adminCredential = directory.adminCredential;
    parties = [directory, await startBankOp({ config: handle.config })];
    if (options.bankApi) parties.push(await startBankApi({ config: handle.config }));
  }, 30_000);

  afterAll(async () => {
    for (const party of parties.reverse()) await party.stop();
    await web?.close();
    if (handle.config) removeTestData(handle.config);
  });
  return handle;
}
