// Isolated sandbox configurations for integration tests: free ports and a fresh data folder per call,
// the shared generated PKI. Tests then run beside a live `pnpm dev` and beside each other.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { environmentFor, loadConfig, type SandboxConfig } from './config.js';

export const PORT_VARIABLES = [
  'FAPI_DIRECTORY_PORT',
  'FAPI_DIRECTORY_MTLS_PORT',
  'FAPI_BANK_OP_PORT',
  'FAPI_BANK_OP_MTLS_PORT',
  'FAPI_BANK_API_PORT',
  'FAPI_TPP_PORT',
] as const;

/**
 * Parallel test workers must never be handed the same port: a port found free and then released can be
 * taken by another worker before the server binds it. Each worker therefore draws from a block of its
 * own (Vitest's VITEST_POOL_ID, Playwright's TEST_PARALLEL_INDEX), below Linux's ephemeral range so that
 * outgoing connections never hold them, and each candidate is still checked free before it is used.
 */
const PORT_BASE = 20_000;
const BLOCK_SIZE = 480;
let nextInBlock = 0;

/**
 * FAPI_TEST_WORKER_OFFSET shifts every worker to other blocks, so that two checkouts of the sandbox
 * (two git worktrees, say) can run their suites side by side without drawing the same ports.
 */
function workerIndex(env: NodeJS.ProcessEnv): number {
  const raw = env.VITEST_POOL_ID ?? env.TEST_PARALLEL_INDEX ?? '0';
  const offset = Number(env.FAPI_TEST_WORKER_OFFSET ?? '0');
  const index = Number(raw) + (Number.isInteger(offset) && offset >= 0 ? offset : 0);
  return Number.isInteger(index) && index >= 0 ? index % 25 : 0;
}

export function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port from this test worker's own block. */
export async function workerPort(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const blockStart = PORT_BASE + workerIndex(env) * BLOCK_SIZE;
  for (let tries = 0; tries < BLOCK_SIZE; tries += 1) {
    const port = blockStart + (nextInBlock % BLOCK_SIZE);
    nextInBlock += 1;
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port left in ${blockStart}-${blockStart + BLOCK_SIZE - 1}`);
}

/**
 * A configuration with every listener on its own free port and a temporary data folder; under
 * FAPI_TEST_STORAGE=postgres+redis also a PostgreSQL database and a Redis database of its own
 * (testing-services.ts, loaded only then).
 */
export async function isolatedConfig(env: NodeJS.ProcessEnv = process.env): Promise<SandboxConfig> {
  const overrides: Record<string, string> = {};
  for (const variable of PORT_VARIABLES) overrides[variable] = String(await workerPort(env));
  if (env.FAPI_TEST_STORAGE) {
    const { hostedStorageFor } = await import('./testing-services.js');
    Object.assign(overrides, await hostedStorageFor(env));
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fapi-sandbox-test-'));
  return loadConfig({ ...env, ...overrides, FAPI_SANDBOX_DATA_DIR: dataDir });
}

/**
 * An isolated configuration with its own copy of the PKI (inside its data folder, removed with it): for
 * tests that change participants' files, such as the directory reissuing a transport certificate.
 */
export async function isolatedConfigWithOwnCertificates(
  env: NodeJS.ProcessEnv = process.env,
): Promise<SandboxConfig> {
  const base = await isolatedConfig(env);
  const certsDir = path.join(base.dataDir, 'certs');
  fs.cpSync(base.certsDir, certsDir, { recursive: true });
  return loadConfig({ ...env, ...environmentFor(base), FAPI_SANDBOX_CERTS_DIR: certsDir });
}

/** Removes the temporary data folder of an isolated configuration. */
export function removeTestData(config: SandboxConfig): void {
  if (config.dataDir.startsWith(os.tmpdir())) fs.rmSync(config.dataDir, { recursive: true, force: true });
}
