// Where the Debian packages put the servers the hosted setup runs on: PostgreSQL's programs live in a
// versioned folder off PATH (/usr/lib/postgresql/<major>/bin), redis-server on PATH.
import fs from 'node:fs';
import path from 'node:path';

const POSTGRES_ROOT = '/usr/lib/postgresql';

/** The newest installed PostgreSQL's bin folder (holding initdb and postgres), if any. */
export function postgresBinDir(): string | undefined {
  const explicit = process.env.FAPI_POSTGRES_BIN;
  if (explicit) return hasServer(explicit) ? explicit : undefined;
  if (!fs.existsSync(POSTGRES_ROOT)) return undefined;
  const majors = fs
    .readdirSync(POSTGRES_ROOT)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  return majors.map((major) => path.join(POSTGRES_ROOT, major, 'bin')).find(hasServer);
}

function hasServer(bin: string): boolean {
  return ['initdb', 'postgres'].every((program) => fs.existsSync(path.join(bin, program)));
}

/** redis-server's path: FAPI_REDIS_SERVER, else PATH, else Debian's /usr/bin. */
export function redisServerPath(): string | undefined {
  const explicit = process.env.FAPI_REDIS_SERVER;
  if (explicit) return fs.existsSync(explicit) ? explicit : undefined;
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), '/usr/bin'];
  return dirs.map((dir) => path.join(dir, 'redis-server')).find((file) => fs.existsSync(file));
}
