// Where the hosted setup finds PostgreSQL and Redis: an explicit setting wins only if it names a real
// program, so a typo sends `pnpm services:ensure` to install the package instead of failing later.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { postgresBinDir, redisServerPath } from '../src/service-binaries.js';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

function folderWith(...programs: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fapi-bin-'));
  for (const program of programs) fs.writeFileSync(path.join(dir, program), '#!/bin/sh\n', { mode: 0o755 });
  return dir;
}

describe('the servers of the hosted setup', () => {
  it('takes FAPI_POSTGRES_BIN when it holds initdb and postgres, and nothing when it does not', () => {
    const dir = folderWith('initdb', 'postgres');
    process.env.FAPI_POSTGRES_BIN = dir;
    expect(postgresBinDir()).toBe(dir);
    process.env.FAPI_POSTGRES_BIN = folderWith('initdb');
    expect(postgresBinDir()).toBeUndefined();
    process.env.FAPI_POSTGRES_BIN = path.join(dir, 'missing');
    expect(postgresBinDir()).toBeUndefined();
  });

  it("finds redis-server on PATH (then Debian's /usr/bin), and refuses a FAPI_REDIS_SERVER that does not exist", () => {
    const dir = folderWith('redis-server');
    delete process.env.FAPI_REDIS_SERVER;
    process.env.PATH = dir;
    expect(redisServerPath()).toBe(path.join(dir, 'redis-server'));
    process.env.PATH = '';
    expect(redisServerPath()).toBe(
      fs.existsSync('/usr/bin/redis-server') ? '/usr/bin/redis-server' : undefined,
    );
    process.env.FAPI_REDIS_SERVER = path.join(dir, 'redis-server');
    expect(redisServerPath()).toBe(path.join(dir, 'redis-server'));
    process.env.FAPI_REDIS_SERVER = path.join(dir, 'nope');
    expect(redisServerPath()).toBeUndefined();
  });
});
