// A real PostgreSQL server of our own, for tests and for trying DATABASE_URL locally: Debian's server
// binaries (apt-get install postgresql), a fresh cluster in a folder of its own, listening on 127.0.0.1
// at a free port and on a private socket folder, with a random password (SCRAM), stopped and removed at
// the end. Nothing else on the machine is touched: no system service, no shared cluster.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { postgresBinDir } from './service-binaries.js';
import { workerPort } from './testing.js';

const run = promisify(execFile);
const USER = 'fapi';

export interface TestPostgres {
  /** `postgres://fapi:…@127.0.0.1:<port>/postgres`: the maintenance database, to create others from. */
  url: string;
  /** A URL to the same server naming another database. */
  urlOf(database: string): string;
  stop(): Promise<void>;
}

/**
 * initdb and postgres refuse to run as root: as root, they run as Debian's postgres user (the spawn's
 * uid and gid, so signals reach the server itself), in a folder made theirs.
 */
async function serverUser(folder: string): Promise<{ uid: number; gid: number } | Record<string, never>> {
  if (process.getuid?.() !== 0) return {};
  const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
  const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
  for (const entry of fs.readdirSync(folder, { recursive: true, encoding: 'utf8' })) {
    fs.chownSync(path.join(folder, entry), uid, gid);
  }
  fs.chownSync(folder, uid, gid);
  return { uid, gid };
}

export interface StartPostgresOptions {
  /** Keep the cluster here (created if missing) instead of a temporary folder removed at stop. */
  dataDir?: string;
  port?: number;
}

/** Starts a PostgreSQL server; throws, saying what to install, when the binaries are missing. */
export async function startTestPostgres(options: StartPostgresOptions = {}): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) {
    throw new Error(
      'PostgreSQL server binaries were not found (FAPI_POSTGRES_BIN, /usr/lib/postgresql/<version>/bin): run pnpm services:ensure, or apt-get install postgresql',
    );
  }
  const throwaway = options.dataDir === undefined;
  const root = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'fapi-postgres-'));
  const data = path.join(root, 'cluster');
  const sockets = path.join(root, 'sockets');
  const passwordFile = path.join(root, 'password');
  fs.mkdirSync(sockets, { recursive: true, mode: 0o700 });
  if (!fs.existsSync(passwordFile))
    fs.writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = fs.readFileSync(passwordFile, 'utf8').trim();
  const user = await serverUser(root);

  if (!fs.existsSync(path.join(data, 'PG_VERSION'))) {
    const initdb = [
      ...['-D', data, '-U', USER, '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '-E', 'UTF8'],
      // A throwaway test cluster need not survive a power cut.
      ...(throwaway ? ['--no-sync'] : []),
    ];
    await run(path.join(bin, 'initdb'), initdb, user);
  }

  const port = options.port ?? (await workerPort());
  const serverArgs = ['-D', data, '-p', String(port), '-k', sockets, '-c', 'listen_addresses=127.0.0.1'];
  if (throwaway) serverArgs.push('-c', 'fsync=off', '-c', 'synchronous_commit=off');
  const server = spawn(path.join(bin, 'postgres'), serverArgs, {
    ...user,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  server.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const killOnExit = () => server.kill('SIGKILL');
  process.once('exit', killOnExit);

  const urlOf = (database: string) =>
    `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  try {
    await ready(server, path.join(bin, 'pg_isready'), port, () => log);
  } catch (err) {
    await stopServer(server);
    if (throwaway) fs.rmSync(root, { recursive: true, force: true });
    throw err;
  }
  return {
    url: urlOf('postgres'),
    urlOf,
    async stop() {
      process.off('exit', killOnExit);
      await stopServer(server);
      if (throwaway) fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

async function ready(server: ChildProcess, pgIsReady: string, port: number, log: () => string) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`PostgreSQL did not start:\n${log()}`);
    try {
      await run(pgIsReady, ['-h', '127.0.0.1', '-p', String(port), '-q']);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`PostgreSQL was not ready within 30 s:\n${log()}`);
}

/** SIGINT is PostgreSQL's fast shutdown: sessions end, the cluster closes cleanly. */
function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => server.kill('SIGKILL'), 10_000);
    server.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    server.kill('SIGINT');
  });
}

/** A new, empty database on the server `maintenanceUrl` (…/postgres) names; its URL. */
export async function freshPostgresDatabase(maintenanceUrl: string): Promise<string> {
  const name = `sandbox_${randomUUID().replaceAll('-', '')}`;
  const admin = new pg.Client({ connectionString: maintenanceUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return maintenanceUrl.replace(/\/postgres$/, `/${name}`);
}
