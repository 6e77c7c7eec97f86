// A real redis-server for tests and local trials of replicas: started on loopback on a free port of this
// test worker's block (testing.ts), without persistence, in a temporary folder removed when it stops.
// Never a stand-in: the replicas' sharing is only shown against the server they would use.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { workerPort } from './testing.js';

export interface RunningRedisServer {
  /** redis://127.0.0.1:<port> */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** REDIS_SERVER, else redis-server on PATH, else Debian's /usr/bin/redis-server. */
export function redisServerBinary(env: NodeJS.ProcessEnv = process.env): string {
  if (env.REDIS_SERVER) return env.REDIS_SERVER;
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'redis-server');
    if (fs.existsSync(candidate)) return candidate;
  }
  if (fs.existsSync('/usr/bin/redis-server')) return '/usr/bin/redis-server';
  throw new Error(
    'redis-server was not found (REDIS_SERVER, PATH, /usr/bin): install it (Debian: apt-get install redis-server) to run the replica tests',
  );
}

const READY = /Ready to accept connections/;
const START_TIMEOUT_MS = 10_000;

export async function startRedisServer(env: NodeJS.ProcessEnv = process.env): Promise<RunningRedisServer> {
  const binary = redisServerBinary(env);
  const port = await workerPort(env);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fapi-sandbox-redis-'));
  // No RDB snapshots, no append-only file: a test's data lives and dies with the server.
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis-server did not start within ${START_TIMEOUT_MS} ms`)),
        START_TIMEOUT_MS,
      );
      const onData = (chunk: Buffer) => {
        output.push(chunk.toString());
        if (READY.test(output.join(''))) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}`));
      });
    });
  } catch (err) {
    await stopChild(child);
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `${binary} on port ${port}: ${err instanceof Error ? err.message : String(err)}\n${output.join('').slice(-2000)}`,
    );
  }
  child.stdout?.removeAllListeners('data').resume();
  child.stderr?.removeAllListeners('data').resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      await stopChild(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** SIGTERM, and SIGKILL if it is still there after five seconds. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Runs `start` with REDIS_URL set to `url`, for test helpers that build their configuration from the
 * environment (isolatedConfig), and puts the environment back as it was.
 */
export async function withRedisUrl<T>(url: string, start: () => Promise<T>): Promise<T> {
  const before = process.env.REDIS_URL;
  process.env.REDIS_URL = url;
  try {
    return await start();
  } finally {
    if (before === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = before;
  }
}
