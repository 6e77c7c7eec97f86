// Isolated sandbox configurations for integration tests: free ports and a fresh data folder per test
// file, the shared generated PKI. Tests then run beside a live `pnpm dev` and beside each other.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type SandboxConfig } from './config.js';

const PORT_VARIABLES = [
  'FAPI_DIRECTORY_PORT',
  'FAPI_DIRECTORY_MTLS_PORT',
  'FAPI_BANK_OP_PORT',
  'FAPI_BANK_OP_MTLS_PORT',
  'FAPI_BANK_API_PORT',
  'FAPI_TPP_PORT',
] as const;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A configuration with every listener on its own free port and a temporary data folder. */
export async function isolatedConfig(env: NodeJS.ProcessEnv = process.env): Promise<SandboxConfig> {
  const overrides: Record<string, string> = {};
  for (const variable of PORT_VARIABLES) overrides[variable] = String(await freePort());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fapi-sandbox-test-'));
  return loadConfig({ ...env, ...overrides, FAPI_SANDBOX_DATA_DIR: dataDir });
}

/** Removes the temporary data folder of an isolated configuration. */
export function removeTestData(config: SandboxConfig): void {
  if (config.dataDir.startsWith(os.tmpdir())) fs.rmSync(config.dataDir, { recursive: true, force: true });
}
