// A local redis-server for replicas that have no REDIS_URL of their own (`pnpm dev --replicas N`) and for
// tests: started on loopback on the port given, without persistence (no RDB snapshots, no append-only
// file), in a temporary folder removed when it stops. Everything replicas keep in Redis is short-lived.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { redisServerPath } from './service-binaries.js';

export interface RunningRedisServer {
  /** redis://127.0.0.1:<port> */
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Synchronous last resort (a process 'exit' handler): SIGKILL and the folder removed. */
  kill(): void;
}

/** The redis-server to start (service-binaries.ts), or a way to get one. */
export function redisServerBinary(): string {
  const found = redisServerPath();
  if (found) return found;
  throw new Error(
    'redis-server was not found (FAPI_REDIS_SERVER, PATH, /usr/bin): run pnpm services:ensure, or install it (Debian: apt-get install redis-server)',
  );
}

const READY = /Ready to accept connections/;
const START_TIMEOUT_MS = 10_000;

export interface RedisServerOptions {
  /** How many logical databases (redis://…/<n>) it offers; Redis's default is 16. */
  databases?: number;
}

/** Starts redis-server on 127.0.0.1:`port` without persistence; resolves once it accepts connections. */
export async function startRedisServer(
  port: number,
  options: RedisServerOptions = {},
): Promise<RunningRedisServer> {
  const binary = redisServerBinary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fapi-sandbox-redis-'));
  // No RDB snapshots, no append-only file: its data lives and dies with the server.
  const child = spawn(
    binary,
    [
      ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      ...(options.databases ? ['--databases', String(options.databases)] : []),
    ],
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
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
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
