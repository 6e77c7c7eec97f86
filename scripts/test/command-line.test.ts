// The sandbox's commands read their arguments with node:util's parseArgs, strictly: a typo is refused
// with the usage line (exit 2) rather than ignored, --help prints the usage, and a command that takes a
// URL refuses what is not one. The commands are run as a learner runs them, and refuse before starting
// anything.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { environmentFor } from '@fapi-sandbox/fapi-core/config';
import { isolatedConfig, removeTestData } from '@fapi-sandbox/fapi-core/testing';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/command-line.js';

const DEV = { options: { watch: { type: 'boolean', default: true } } } as const;
const OPEN = { options: {}, positionals: 1 } as const;

describe('parseCommandLine', () => {
  it('reads --no-watch as watch = false, and watch by default', () => {
    expect(parseCommandLine([], DEV)).toMatchObject({ values: { watch: true }, help: false });
    expect(parseCommandLine(['--no-watch'], DEV)).toMatchObject({ values: { watch: false } });
  });

  it('refuses an option it does not know, naming it, instead of ignoring it', () => {
    expect(parseCommandLine(['--no-wach'], DEV).refused).toMatch(/Unknown option '--no-wach'/);
    expect(parseCommandLine(['--watch=yes'], DEV).refused).toMatch(/'--watch' does not take an argument/);
  });

  it('takes as many positional arguments as the command has, and no more', () => {
    expect(parseCommandLine(['https://tpp.localhost:7443/'], OPEN)).toMatchObject({
      positionals: ['https://tpp.localhost:7443/'],
    });
    expect(parseCommandLine(['a', 'b'], OPEN).refused).toBe("unexpected argument 'b'");
    expect(parseCommandLine(['a'], DEV).refused).toMatch(/Unexpected argument 'a'/);
  });

  it('knows --help and -h', () => {
    expect(parseCommandLine(['--help'], DEV)).toMatchObject({ help: true });
    expect(parseCommandLine(['-h'], OPEN)).toMatchObject({ help: true });
  });
});

/** Runs one of the sandbox's commands to its end (each refuses at once here; 30 s is a hang). */
function run(script: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join('src', ...script.split('/')), ...args],
    {
      cwd: path.join(import.meta.dirname, '..'),
      env,
      encoding: 'utf8',
      timeout: 30_000,
      killSignal: 'SIGKILL',
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the commands', () => {
  it('pnpm dev refuses a misspelt --no-watch instead of starting the sandbox in watch mode', async () => {
    // On free ports, so that a dev that did start could not reach anyone else's sandbox.
    const config = await isolatedConfig();
    try {
      const dev = run('dev/cli.ts', ['--no-wach'], { ...process.env, ...environmentFor(config) });
      expect(dev.code).toBe(2);
      expect(dev.stderr).toContain("Unknown option '--no-wach'");
      expect(dev.stderr).toContain('usage: pnpm dev [--no-watch]');
      expect(dev.stdout).toBe('');
    } finally {
      await removeTestData(config);
    }
  });

  it('pnpm dev refuses a replica count it cannot run, and the trusted-proxy header path with replicas, before starting anything', async () => {
    const config = await isolatedConfig();
    try {
      const env = { ...process.env, ...environmentFor(config) };
      for (const count of ['0', '9', 'two']) {
        const dev = run('dev/cli.ts', ['--replicas', count], env);
        expect(dev.code).toBe(2);
        expect(dev.stderr).toContain(`--replicas takes a whole number from 1 to 8 (got '${count}')`);
        expect(dev.stderr).toContain('usage: pnpm dev [--no-watch] [--hmr] [--replicas N]');
        expect(dev.stdout).toBe('');
      }
      const proxied = run('dev/cli.ts', ['--replicas', '2'], {
        ...env,
        FAPI_BANK_OP_TRUSTED_PROXY: '127.0.0.1:x-ssl-client-cert',
      });
      expect(proxied.code).toBe(2);
      expect(proxied.stderr).toMatch(/FAPI_BANK_OP_TRUSTED_PROXY cannot be used with --replicas/);
      expect(proxied.stdout).toBe('');
    } finally {
      await removeTestData(config);
    }
  });

  it('pnpm bench refuses an unknown option and prints its usage for --help', () => {
    const bench = run('bench/cli.ts', ['--quick', '--fast']);
    expect(bench.code).toBe(2);
    expect(bench.stderr).toContain("Unknown option '--fast'");
    expect(bench.stderr).toContain('usage: pnpm bench [--quick] [--json] [--only replicas]');
    expect(run('bench/cli.ts', ['-h'])).toMatchObject({
      code: 0,
      stdout: 'usage: pnpm bench [--quick] [--json] [--only replicas]\n',
    });
    // --only names the one section that runs alone.
    const only = run('bench/cli.ts', ['--only', 'servers']);
    expect(only.code).toBe(2);
    expect(only.stderr).toContain("--only servers: the one section that runs alone is 'replicas'");
  });

  it('pnpm open refuses what is not a URL, and options it does not have, before looking for a browser', () => {
    const open = run('open.ts', ['tpp.localhost 7443']);
    expect(open.code).toBe(2);
    expect(open.stderr).toContain("'tpp.localhost 7443' is not a URL");
    expect(run('open.ts', ['--incognito']).code).toBe(2);
    expect(run('open.ts', ['--help'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^usage: pnpm open \[url\]/),
    });
  });
});
