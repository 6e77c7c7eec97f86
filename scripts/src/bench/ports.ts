// Ports and a data folder of the benchmark's own, so it runs beside a live `pnpm dev` and beside tests:
// FAPI_BENCH_PORT_BASE=<port> takes free ports upward from there; without it, fapi-core/testing's
// per-worker blocks (isolatedConfig) hand them out. The data folder is temporary, removed on the way out.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { isFree, PORT_VARIABLES, removeTestData, workerPort } from '@fapi-sandbox/fapi-core/testing';

let nextFromBase: number | undefined;

/** A free port for a party, a peer or the dev launcher's run. */
export async function benchPort(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (!env.FAPI_BENCH_PORT_BASE) return workerPort(env);
  nextFromBase ??= Number(env.FAPI_BENCH_PORT_BASE);
  if (!Number.isInteger(nextFromBase) || nextFromBase < 1024 || nextFromBase > 65_000) {
    throw new Error(`FAPI_BENCH_PORT_BASE=${env.FAPI_BENCH_PORT_BASE} is not a port from 1024 to 65000`);
  }
  for (let tries = 0; tries < 100; tries++) {
    const port = nextFromBase++;
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port in the 100 from FAPI_BENCH_PORT_BASE=${env.FAPI_BENCH_PORT_BASE}`);
}

export type BenchConfig = SandboxConfig & { remove(): void };

/** Every listener on a port of its own and a fresh data folder; the shared generated PKI. */
export async function benchConfig(env: NodeJS.ProcessEnv = process.env): Promise<BenchConfig> {
  const overrides: Record<string, string> = {};
  for (const variable of PORT_VARIABLES) overrides[variable] = String(await benchPort(env));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fapi-bench-'));
  const config = loadConfig({ ...env, ...overrides, FAPI_SANDBOX_DATA_DIR: dataDir });
  const remove = () => {
    removeTestData(config);
    process.off('exit', remove);
  };
  process.on('exit', remove);
  return Object.assign(config, { remove });
}
