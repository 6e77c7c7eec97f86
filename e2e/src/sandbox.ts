// A whole sandbox for scenarios: the `pnpm dev` orchestrator (without watch) on free ports with a
// fresh data folder, so that it starts from the seeded state and touches no running
// `pnpm dev`. Stopped with SIGTERM, which the orchestrator passes on to every party.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { environmentFor, type SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import {
  isolatedConfig,
  isolatedConfigWithOwnCertificates,
  removeTestData,
} from '@fapi-sandbox/fapi-core/testing';

export interface RunningSandbox {
  config: SandboxConfig;
  /** Everything the parties printed, for a failing test's report. */
  output: () => string;
  startupMs: number;
  stop: () => Promise<void>;
}

const READY_LINE = /FAPI Sandbox is ready in/;

export async function startSandbox(
  options: { ownCertificates?: boolean; baseDomain?: string; timeoutMs?: number } = {},
): Promise<RunningSandbox> {
  const { timeoutMs = 90_000 } = options;
  const env = options.baseDomain ? { ...process.env, FAPI_BASE_DOMAIN: options.baseDomain } : process.env;
  // A scenario that changes participants' files (the directory reissuing a certificate) gets its own PKI
  // copy, and so does one on another base domain (its server certificates are issued again for the new names).
  const config =
    options.ownCertificates || options.baseDomain
      ? await isolatedConfigWithOwnCertificates(env)
      : await isolatedConfig(env);
  const scripts = path.join(config.repoRoot, 'scripts');
  const started = performance.now();
  // The same start as `pnpm dev` (its package script): the launcher that bundles and runs every party.
  const child: ChildProcess = spawn(
    process.execPath,
    ['--enable-source-maps', 'src/dev/start.mjs', '--no-watch'],
    {
      cwd: scripts,
      env: { ...process.env, ...environmentFor(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(child.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (child.exitCode === null) process.kill(-child.pid, 'SIGKILL');
    }
    removeTestData(config);
  };

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`sandbox not ready after ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const check = () => {
      if (READY_LINE.test(output)) {
        clearTimeout(timer);
        // A worker's sandbox runs for many scenarios: its output is not searched again at every line.
        child.stdout?.off('data', check);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the sandbox exited (code ${code}) before it was ready:\n${output}`));
    });
  }).catch(async (err) => {
    await stop();
    throw err;
  });

  return { config, output: () => output, startupMs: performance.now() - started, stop };
}

/** Writes a scenario's sandbox output next to its other artefacts when it failed. */
export function saveOutput(sandbox: RunningSandbox, file: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, sandbox.output());
}
