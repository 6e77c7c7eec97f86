// `pnpm dev` as a learner runs it: the real CLI starting every real party on free ports. A party
// killed under it is reported and comes back (watch mode) or stops the sandbox (--no-watch); Ctrl-C
// ends every party and exits 0.
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { environmentFor, type SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { isolatedConfig, removeTestData } from '@fapi-sandbox/fapi-core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntilHealthy } from '../src/dev/wait-ready.js';

interface DevRun {
  config: SandboxConfig;
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const runs: DevRun[] = [];

async function startDev(args: string[]): Promise<DevRun> {
  const config = await isolatedConfig();
  const child = spawn(
    process.execPath,
    // What `pnpm dev` runs (the root package script): the launcher that bundles and runs every party.
    ['--enable-source-maps', path.join('scripts', 'src', 'dev', 'start.mjs'), ...args],
    {
      cwd: config.repoRoot,
      // The parties log as pnpm dev shows them to a learner (the test runner's LOG_LEVEL is silent).
      env: { ...process.env, ...environmentFor(config), LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const run = { config, child, output: () => output, exited };
  runs.push(run);
  await until(run, /FAPI Sandbox is ready in/, 120_000);
  return run;
}

async function until(run: DevRun, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const match = run.output().match(pattern);
    if (match) return match;
    if (run.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no ${pattern} in the output of pnpm dev:\n${run.output()}`);
}

/** The pid the supervisor printed when it last started the party. */
function lastPidOf(run: DevRun, party: string): number {
  const pids = [...run.output().matchAll(new RegExp(`${party}\\s+│ started \\(pid (\\d+)\\)`, 'g'))];
  const pid = Number(pids.at(-1)?.[1]);
  expect(pid, `no pid printed for ${party}`).toBeGreaterThan(0);
  return pid;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

function allPorts(config: SandboxConfig): number[] {
  return [
    config.directory.web.port,
    config.directory.mtls.port,
    config.bankOp.web.port,
    config.bankOp.mtls.port,
    config.bankApi.web.port,
    config.tpp.web.port,
  ];
}

afterEach(() => {
  for (const run of runs.splice(0)) {
    if (run.child.exitCode === null && run.child.pid !== undefined) {
      try {
        process.kill(-run.child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    removeTestData(run.config);
  }
});

describe('pnpm dev supervises its parties', () => {
  it('reports a killed bank-op with its exit and last lines, restarts it healthy, and Ctrl-C then stops every party with exit 0', async () => {
    const run = await startDev([]);
    const killed = lastPidOf(run, 'bank-op');
    process.kill(killed, 'SIGKILL');

    await until(run, /✖ bank-op exited \(signal SIGKILL\)\. Its last \d+ lines:/, 10_000);
    // The exit report's last lines, as readable as the live ones.
    expect(run.output()).toMatch(/ {2}│ \[[\d:]+\] INFO: ready: https:\/\/bank\.localhost/);
    // Each party's JSON log lines shown readable, under its prefix only once.
    expect(run.output()).toMatch(/bank-op\s+│ \[[\d:]+\] INFO: ready: https:\/\/bank\.localhost/);
    expect(run.output()).toMatch(/tpp\s+│ \[[\d:]+\] INFO: GET \/health 200 \d+ ms/);
    expect(run.output()).not.toMatch(
      /(directory|bank-op|bank-api|tpp)\s+│ (\[directory\] |bank-op |bank-api |tpp )/,
    );
    expect(run.output()).not.toMatch(/│ \{"level"/);
    await until(run, /Restarting bank-op in 1 s/, 1000);
    await until(run, /bank-op is healthy again/, 90_000);
    const restarted = lastPidOf(run, 'bank-op');
    expect(restarted).not.toBe(killed);
    await waitUntilHealthy(`${run.config.bankOp.web.origin}/health`, run.config, {
      timeoutMs: 5000,
      isAlive: () => true,
    });

    const partyPids = ['directory', 'bank-op', 'bank-api', 'tpp'].map((party) => lastPidOf(run, party));
    process.kill(run.child.pid!, 'SIGINT');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.output()).toContain('Every party stopped.');
    expect(run.output()).not.toMatch(/Force killing|ERR_PNPM|ELIFECYCLE/);
    expect(partyPids.filter(isAlive)).toEqual([]);
    for (const port of allPorts(run.config)) expect(await portIsClosed(port), `port ${port}`).toBe(true);
  }, 240_000);

  it('with --no-watch, a killed party stops the whole sandbox with a non-zero exit that names it', async () => {
    const run = await startDev(['--no-watch']);
    const partyPids = ['directory', 'bank-op', 'bank-api', 'tpp'].map((party) => lastPidOf(run, party));
    process.kill(lastPidOf(run, 'bank-api'), 'SIGKILL');

    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.output()).toMatch(/✖ bank-api exited \(signal SIGKILL\)/);
    expect(run.output()).toContain('--no-watch is fail-fast: stopping every party.');
    expect(run.output()).not.toMatch(/Restarting bank-api/);
    expect(partyPids.filter(isAlive)).toEqual([]);
    for (const port of allPorts(run.config)) expect(await portIsClosed(port), `port ${port}`).toBe(true);
  }, 240_000);
});
