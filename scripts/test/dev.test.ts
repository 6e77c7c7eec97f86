import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@fapi-sandbox/fapi-core/config';
import { describe, expect, it } from 'vitest';
import { demoCustomers } from '../src/dev/demo-customers.js';
import { startableParties } from '../src/dev/parties.js';
import { partyLineFormatter } from '../src/dev/party-lines.js';
import { renderReadyTable } from '../src/dev/ready-table.js';
import { parseReplicas, supervisedProcesses, trustedProxyRefusal } from '../src/dev/replicas.js';
import { sourceFoldersOf, watchedDirectories, watchSources } from '../src/dev/source-watch.js';
import { backoffMs } from '../src/dev/supervisor.js';

const config = loadConfig({ ...process.env, FAPI_TPP_PORT: '17443' });

describe('pnpm dev', () => {
  it('starts every party from its own entry point and waits on its health endpoint', () => {
    const parties = startableParties(config);
    expect(parties.map((p) => p.party.name)).toEqual(['directory', 'bank-op', 'bank-api', 'tpp']);
    for (const { dir, healthUrl, party } of parties) {
      expect(fs.existsSync(path.join(dir, 'src', 'main.ts')), dir).toBe(true);
      expect(healthUrl).toBe(`${party.web.origin}/health`);
    }
    expect(parties.at(-1)?.healthUrl).toBe('https://tpp.localhost:17443/health');
  });

  it('prints where each party is, the demo customers, the admin credential and where to start', () => {
    const table = renderReadyTable(config, {
      startupMs: 4321,
      perPartyMs: { directory: 3100, 'bank-op': 3600, 'bank-api': 2900, tpp: 4200 },
      adminCredential: 'admin-secret',
      inviteCode: 'fapi-7Q2M-K9XD',
      demoCustomers: demoCustomers(),
    });
    expect(table).toContain('FAPI Sandbox is ready in 4.3 s.');
    expect(table).toMatch(
      /bank-op\s+https:\/\/bank\.localhost:9443\s+https:\/\/mtls\.bank\.localhost:9444\s+3\.6 s/,
    );
    expect(table).toContain('Directory admin credential: admin-secret');
    expect(table).toContain('Developer portal invite code: fapi-7Q2M-K9XD');
    expect(table).toContain(`${config.directory.web.origin}/portal`);
    expect(table).toContain('Start here: https://tpp.localhost:17443');
    for (const customer of demoCustomers()) {
      expect(table).toMatch(new RegExp(`${customer.username}\\s+${customer.password}`));
    }
  });

  it('says so when no admin credential was found', () => {
    const table = renderReadyTable(config, {
      startupMs: 1,
      perPartyMs: {},
      adminCredential: undefined,
      demoCustomers: [],
    });
    expect(table).toContain('Directory admin credential: (not found)');
    expect(table).toContain('Developer portal invite code: (not found)');
    expect(table).toContain('(none seeded)');
  });
});

describe('pnpm dev --replicas N', () => {
  const ports = {
    'bank-op': [
      { web: 41001, mtls: 41002 },
      { web: 41003, mtls: 41004 },
    ],
    'bank-api': [{ web: 41005 }, { web: 41006 }],
  };

  it('takes a whole number from 1 to 8, and refuses anything else with the range', () => {
    expect(['1', '2', '8'].map(parseReplicas)).toEqual([1, 2, 8]);
    for (const raw of ['0', '9', 'two', '1.5', '-1', '']) {
      expect(parseReplicas(raw)).toEqual({
        refused: `--replicas takes a whole number from 1 to 8 (got '${raw}')`,
      });
    }
  });

  it('with 1, supervises the four parties exactly as without it', () => {
    const processes = supervisedProcesses(startableParties(config));
    expect(processes.map((p) => [p.name, p.env, p.replica])).toEqual([
      ['directory', {}, undefined],
      ['bank-op', {}, undefined],
      ['bank-api', {}, undefined],
      ['tpp', {}, undefined],
    ]);
    expect(processes.map((p) => p.healthUrl)).toEqual(startableParties(config).map((p) => p.healthUrl));
  });

  it('runs each replica of bank-op and bank-api on its own ports, health-checked there; one directory, one TPP', () => {
    const processes = supervisedProcesses(startableParties(config), ports);
    expect(processes.map((p) => p.name)).toEqual([
      'directory',
      'bank-op.1',
      'bank-op.2',
      'bank-api.1',
      'bank-api.2',
      'tpp',
    ]);
    const op2 = processes.find((p) => p.name === 'bank-op.2')!;
    expect(op2.env).toEqual({ FAPI_BANK_OP_REPLICA_PORT: '41003', FAPI_BANK_OP_MTLS_REPLICA_PORT: '41004' });
    expect(op2.healthUrl).toBe(`https://${config.bankOp.web.host}:41003/health`);
    const api1 = processes.find((p) => p.name === 'bank-api.1')!;
    expect(api1.env).toEqual({ FAPI_BANK_API_REPLICA_PORT: '41005' });
    expect(api1.dir).toBe(startableParties(config)[2]!.dir);
  });

  it("refuses bank-op's trusted-proxy header path: behind a pass-through balancer anyone could send the header", () => {
    expect(trustedProxyRefusal({})).toBeUndefined();
    expect(trustedProxyRefusal({ FAPI_BANK_OP_TRUSTED_PROXY: '127.0.0.1:x-ssl-client-cert' })).toMatch(
      /FAPI_BANK_OP_TRUSTED_PROXY cannot be used with --replicas: the balancer passes TLS through/,
    );
  });

  it('prints each replica with its pid and ports, and the Redis they share', () => {
    const table = renderReadyTable(config, {
      startupMs: 9000,
      perPartyMs: { 'bank-op.1': 3000, 'bank-op.2': 4200, 'bank-api.1': 2000, 'bank-api.2': 2500 },
      adminCredential: undefined,
      demoCustomers: [],
      replicas: [
        { name: 'bank-op.1', pid: 1234, ports: ports['bank-op'][0]! },
        { name: 'bank-api.2', pid: 5678, ports: ports['bank-api'][1]! },
      ],
      redis: 'redis://127.0.0.1:40001, a redis-server pnpm dev started for this run',
    });
    // A replicated party is ready when its last replica is.
    expect(table).toMatch(
      /bank-op\s+https:\/\/bank\.localhost:9443\s+https:\/\/mtls\.bank\.localhost:9444\s+4\.2 s/,
    );
    expect(table).toMatch(/bank-op\.1\s+1234\s+41001\s+41002/);
    expect(table).toMatch(/bank-api\.2\s+5678\s+41006\s+\(same\)/);
    expect(table).toContain('Redis shared by the replicas: redis://127.0.0.1:40001');
    expect(
      renderReadyTable(config, {
        startupMs: 1,
        perPartyMs: {},
        adminCredential: undefined,
        demoCustomers: [],
      }),
    ).not.toContain('Replicas');
  });
});

describe('pnpm dev watch mode', () => {
  it("watches each party's own sources and those of the workspace packages it runs, not the TPP's browser code", () => {
    const parties = Object.fromEntries(startableParties(config).map((p) => [p.party.name, p.dir]));
    const rel = (dirs: string[]) => dirs.map((d) => path.relative(config.repoRoot, d)).sort();
    expect(rel(sourceFoldersOf(parties['bank-op']!, config.repoRoot).folders)).toEqual([
      'apps/bank-op/src',
      'packages/bank-domain/src',
      'packages/fapi-core/src',
    ]);
    const tpp = sourceFoldersOf(parties.tpp!, config.repoRoot);
    // The TPP runs the one FAPI client engine (and its attack lab signs in as a seeded bank customer), so
    // a save there restarts it too.
    expect(rel(tpp.folders)).toEqual([
      'apps/tpp/src',
      'packages/bank-domain/src',
      'packages/fapi-client/src',
      'packages/fapi-core/src',
    ]);
    // Vite's development server (--hmr) reloads the browser code itself; a build of it is made again.
    expect(rel(tpp.ignore)).toEqual(['apps/tpp/src/web']);
    expect(sourceFoldersOf(parties.tpp!, config.repoRoot, { watchWebSources: true }).ignore).toEqual([]);
  });

  it('reports a saved source file once the burst of writes settles, and ignores other files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-watch-'));
    fs.mkdirSync(path.join(dir, 'nested'));
    fs.mkdirSync(path.join(dir, 'web'));
    const changed: string[] = [];
    const stop = watchSources([dir], [path.join(dir, 'web')], (file) => changed.push(file), 100);
    try {
      fs.writeFileSync(path.join(dir, 'notes.md'), 'not code');
      fs.writeFileSync(path.join(dir, 'web', 'page.tsx'), 'served by Vite');
      fs.writeFileSync(path.join(dir, 'nested', 'main.ts'), 'export {};');
      fs.writeFileSync(path.join(dir, 'nested', 'main.ts'), 'export const saved = 2;');
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(changed).toEqual([path.join(dir, 'nested', 'main.ts')]);
    } finally {
      stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('watches a folder two parties share once and tells both of a save there, each of its own folders only to it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-watch-'));
    const shared = path.join(dir, 'shared');
    const first = path.join(dir, 'first');
    const second = path.join(dir, 'second');
    for (const folder of [shared, path.join(shared, 'deep'), first, second]) fs.mkdirSync(folder);
    const changed: Record<string, string[]> = { first: [], second: [] };
    const stops = [
      watchSources([first, shared], [], (file) => changed.first!.push(file), 100),
      watchSources([second, shared], [], (file) => changed.second!.push(file), 100),
    ];
    const watchedHere = () => watchedDirectories().filter((each) => each.startsWith(dir + path.sep));
    try {
      expect(watchedHere()).toEqual([first, second, shared, path.join(shared, 'deep')].sort());
      fs.writeFileSync(path.join(shared, 'deep', 'core.ts'), 'export {};');
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(changed).toEqual({
        first: [path.join(shared, 'deep', 'core.ts')],
        second: [path.join(shared, 'deep', 'core.ts')],
      });
      fs.writeFileSync(path.join(first, 'main.ts'), 'export {};');
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(changed.first).toEqual([path.join(shared, 'deep', 'core.ts'), path.join(first, 'main.ts')]);
      expect(changed.second).toEqual([path.join(shared, 'deep', 'core.ts')]);
      // The first party stopped: the second still hears of the shared folder.
      stops.shift()!();
      expect(watchedHere()).toEqual([second, shared, path.join(shared, 'deep')].sort());
      fs.writeFileSync(path.join(shared, 'core.ts'), 'export const saved = 1;');
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(changed.second).toEqual([path.join(shared, 'deep', 'core.ts'), path.join(shared, 'core.ts')]);
      expect(changed.first).toHaveLength(2);
    } finally {
      for (const stop of stops) stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(watchedHere()).toEqual([]);
  });

  it('watches a folder made after the start, and stops watching one that is removed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dev-watch-'));
    const changed: string[] = [];
    const stop = watchSources([dir], [], (file) => changed.push(file), 100);
    const made = path.join(dir, 'made', 'later');
    try {
      fs.mkdirSync(made, { recursive: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(watchedDirectories()).toContain(made);
      fs.writeFileSync(path.join(made, 'handler.ts'), 'export {};');
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(changed).toEqual([path.join(made, 'handler.ts')]);
      fs.rmSync(path.join(dir, 'made'), { recursive: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(watchedDirectories().filter((each) => each.startsWith(dir))).toEqual([dir]);
    } finally {
      stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('backs off a party that keeps dying at boot: 1 s, 2 s, 4 s … at most 30 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });

  it("shows a party's JSON log line as one readable line: time, level, the learner's message and the interaction id", () => {
    const format = partyLineFormatter({ colour: false });
    const refusal = JSON.stringify({
      level: 40,
      time: '2026-01-02T10:11:12.000Z',
      party: 'bank-op',
      interactionId: '4c1f1f3e-7d8a-4d2b-9b1e-0123456789ab',
      method: 'PUT',
      path: '/par',
      status: 405,
      error: 'invalid_request',
      msg: 'refused PUT /par: 405 invalid_request: use POST (RFC 9126 section 2.1).',
    });
    const [shown, ...more] = format(refusal);
    expect(more).toEqual([]);
    expect(shown).toMatch(
      /^\[\d\d:\d\d:\d\d\] WARN: refused PUT \/par: 405 invalid_request: use POST \(RFC 9126 section 2\.1\)\. \{"interactionId":"4c1f1f3e-7d8a-4d2b-9b1e-0123456789ab"\}$/,
    );
    // The party is the supervisor's prefix: not said twice.
    expect(shown).not.toContain('bank-op');
  });

  it('shows an unexpected error with its stack, and passes lines that are not JSON as they are', () => {
    const format = partyLineFormatter({ colour: false });
    const failure = JSON.stringify({
      level: 50,
      time: '2026-01-02T10:11:12.000Z',
      party: 'tpp',
      err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at handler (app.ts:1:1)' },
      msg: 'failed GET /x: boom',
    });
    const shown = format(failure);
    expect(shown[0]).toMatch(/ERROR: failed GET \/x: boom$/);
    expect(shown.join('\n')).toContain('at handler (app.ts:1:1)');
    expect(format('Vite ready in 300 ms')).toEqual(['Vite ready in 300 ms']);
  });
});
