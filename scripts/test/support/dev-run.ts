// `pnpm dev` as a learner runs it, for tests: the real CLI in a process group of its own on an isolated
// configuration (free ports of this worker's block, a fresh data folder), its output kept, and the pids
// and request lines it prints read back. Every run is killed and its data removed after each test file's
// test (stopDevRuns).
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { environmentFor, type SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { isolatedConfig, removeTestData } from '@fapi-sandbox/fapi-core/testing';
import { expect } from 'vitest';

export interface DevRun {
  config: SandboxConfig;
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const runs: DevRun[] = [];

export async function startDev(args: string[], env: NodeJS.ProcessEnv = {}): Promise<DevRun> {
  const config = await isolatedConfig();
  const child = spawn(
    process.execPath,
    // What `pnpm dev` runs (the root package script): the launcher that bundles and runs every party.
    ['--enable-source-maps', path.join('scripts', 'src', 'dev', 'start.mjs'), ...args],
    {
      cwd: config.repoRoot,
      // The parties log as pnpm dev shows them to a learner (the test runner's LOG_LEVEL is silent).
      env: { ...process.env, ...environmentFor(config), LOG_LEVEL: 'info', ...env },
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

/** Waits for `pattern` in the output from character `from` on (all of it by default). */
export async function until(
  run: DevRun,
  pattern: RegExp,
  timeoutMs: number,
  from = 0,
): Promise<RegExpMatchArray> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const match = run.output().slice(from).match(pattern);
    if (match) return match;
    if (run.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no ${pattern} in the output of pnpm dev:\n${run.output().slice(-20_000)}`);
}

const escaped = (name: string) => name.replace(/[.]/g, '\\.');

/** The pid the supervisor printed when it last started the party (or one replica of it: `bank-op.2`). */
export function lastPidOf(run: DevRun, party: string): number {
  const pids = [...run.output().matchAll(new RegExp(`${escaped(party)}\\s+│ started \\(pid (\\d+)\\)`, 'g'))];
  const pid = Number(pids.at(-1)?.[1]);
  expect(pid, `no pid printed for ${party}`).toBeGreaterThan(0);
  return pid;
}

/**
 * Which replica of `party` logged a request matching `request` (e.g. /POST \/par 201/) after character
 * `from` of the output: the last one that did. A party logs a request once it has answered it, so this
 * waits a moment for the line.
 */
export async function servedBy(run: DevRun, party: string, request: RegExp, from: number): Promise<string> {
  const ownLine = new RegExp(`^(${escaped(party)}\\.\\d+)\\s+│`);
  const started = Date.now();
  let lines: string[] = [];
  while (Date.now() - started < 5000) {
    lines = run.output().slice(from).split('\n');
    const replicas = lines
      .filter((line) => request.test(line))
      .flatMap((line) => line.match(ownLine)?.[1] ?? []);
    if (replicas.length > 0) return replicas.at(-1)!;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const own = lines.filter((line) => ownLine.test(line)).slice(-30);
  throw new Error(`no replica of ${party} logged ${request}; its last lines:\n${own.join('\n')}`);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/**
 * The pids the supervisor printed for the run's parties and replicas that still run a party's bundle (a
 * pid of a party gone long ago may be another process's by now).
 */
function livePartyPids(run: DevRun): number[] {
  return [...run.output().matchAll(/│ started \(pid (\d+)\)/g)]
    .map((match) => Number(match[1]))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path.join('fapi-sandbox', 'bundles'));
      } catch {
        return false;
      }
    });
}

/**
 * Stops every run this file started and removes its data (afterEach, afterAll): Ctrl-C first, as a learner
 * stops it; the parties run in process groups of their own, so killing the launcher alone would leave them
 * running. If it has not stopped after 20 seconds, it and its parties are killed.
 */
export async function stopDevRuns(): Promise<void> {
  for (const run of runs.splice(0)) {
    if (run.child.exitCode === null && run.child.signalCode === null && run.child.pid !== undefined) {
      process.kill(run.child.pid, 'SIGINT');
      const stopped = await Promise.race([
        run.exited.then(() => true),
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 20_000)),
      ]);
      if (!stopped) {
        for (const pid of [-run.child.pid, ...livePartyPids(run)]) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      }
    }
    removeTestData(run.config);
  }
}
