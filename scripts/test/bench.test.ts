// The benchmark's pure parts (percentiles, the load loop, the report table, /proc parsing, the pinning
// plan) and one whole `pnpm bench --quick --json` run: every section smoke-tested, the report's shape
// checked, no speed asserted (speed targets live in the report, never in tests).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { describe, expect, it } from 'vitest';
import { processName } from '../src/bench/dev-launcher.js';
import { driveFor } from '../src/bench/load/drive.js';
import { parseBusyTicks } from '../src/bench/machine.js';
import { pinnedCommand, pinningPlan } from '../src/bench/pinning.js';
import { parseCpuTicks, parseVmRss } from '../src/bench/process-tree.js';
import { boundBy } from '../src/bench/replica-scaling.js';
import { renderTable } from '../src/bench/report.js';
import { type BenchReport, settingsFor } from '../src/bench/run.js';
import { percentile, summarize, throughput } from '../src/bench/stats.js';

describe('summary math', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  it('takes percentiles by nearest rank: an actual sample, never an interpolation', () => {
    expect(percentile(oneToHundred, 50)).toBe(50);
    expect(percentile(oneToHundred, 95)).toBe(95);
    expect(percentile(oneToHundred, 99)).toBe(99);
    expect(percentile(oneToHundred, 100)).toBe(100);
    expect(percentile(oneToHundred, 0)).toBe(1);
    // 20 runs (the journey's N): p95 is the 19th smallest, p50 the 10th.
    const twenty = Array.from({ length: 20 }, (_, i) => (i + 1) * 10);
    expect(percentile(twenty, 95)).toBe(190);
    expect(percentile(twenty, 50)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
  });

  it('summarizes unsorted samples without reordering the caller’s array', () => {
    const samples = [30, 10, 50, 20, 40];
    const summary = summarize(samples);
    expect(summary).toEqual({ count: 5, min: 10, mean: 30, p50: 30, p95: 50, p99: 50, max: 50 });
    expect(samples).toEqual([30, 10, 50, 20, 40]);
  });

  it('refuses what has no meaningful summary', () => {
    expect(() => summarize([])).toThrow(RangeError);
    expect(() => summarize([1, Number.NaN])).toThrow(/not a finite number/);
    expect(() => percentile([1, 2], 101)).toThrow(RangeError);
    expect(() => percentile([1, 2], -1)).toThrow(RangeError);
    expect(() => throughput(10, 0)).toThrow(RangeError);
  });

  it('computes requests per second from wall-clock milliseconds', () => {
    expect(throughput(500, 2000)).toBe(250);
    expect(throughput(1, 4)).toBe(250);
  });
});

describe('load loop', () => {
  it('keeps exactly `inFlight` requests in flight until the time is up', async () => {
    let inFlight = 0;
    let peak = 0;
    const result = await driveFor(60, 8, async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
    });
    expect(peak).toBe(8);
    expect(result.completed).toBeGreaterThanOrEqual(8);
    expect(result.elapsedMs).toBeGreaterThanOrEqual(60);
    expect(result.perSecond).toBeCloseTo((result.completed * 1000) / result.elapsedMs);
  });

  it('fails the run on the first failed request and stops sending', async () => {
    let sent = 0;
    await expect(
      driveFor(10_000, 4, async () => {
        sent++;
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (sent === 10) throw new Error('answered 401');
      }),
    ).rejects.toThrow('answered 401');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sent).toBeLessThan(20);
  });

  it('refuses a duration or in-flight count that is not positive', async () => {
    await expect(driveFor(0, 1, async () => {})).rejects.toThrow(RangeError);
    await expect(driveFor(10, 1.5, async () => {})).rejects.toThrow(RangeError);
  });
});

describe('report, process and machine helpers', () => {
  it('aligns tables: text columns left, number columns right', () => {
    const table = renderTable(
      ['party', 'ms'],
      [
        ['directory', '9.5'],
        ['tpp', '1261'],
      ],
    );
    expect(table.split('\n')).toEqual([
      '  party        ms',
      '  ─────────  ────',
      '  directory   9.5',
      '  tpp        1261',
    ]);
  });

  it('reads VmRSS (KiB) from /proc/<pid>/status text', () => {
    expect(parseVmRss('Name:\tnode\nVmPeak:\t  900 kB\nVmRSS:\t  123456 kB\nThreads:\t11\n')).toBe(123456);
    expect(parseVmRss('Name:\tkthreadd\nThreads:\t1\n')).toBeUndefined();
  });

  it('names each process of the running sandbox from its command line', () => {
    const bundle = (party: string) => `/repo/node_modules/.cache/fapi-sandbox/bundles/${party}/main.mjs`;
    expect(processName(['/usr/bin/node', '--enable-source-maps', bundle('bank-api')])).toBe('bank-api');
    expect(
      processName(['node', '--enable-source-maps', '--max-semi-space-size=1', 'scripts/src/dev/start.mjs']),
    ).toBe('launcher (start.mjs)');
    expect(processName(['node', '/usr/local/lib/node_modules/pnpm/bin/pnpm.cjs', '--silent', 'dev'])).toBe(
      'pnpm',
    );
    expect(processName(['/usr/local/bin/pnpm', '--silent', 'dev'])).toBe('pnpm');
    expect(
      processName(['/repo/node_modules/@esbuild/linux-x64/bin/esbuild', '--service=0.28.2', '--ping']),
    ).toBe('esbuild');
    expect(processName(['/usr/bin/redis-server', '127.0.0.1:6380'])).toBe('redis-server');
  });

  it('reads a process’s CPU ticks (utime, stime, cutime, cstime), even with spaces in its name', () => {
    const stat = '4242 (node (tsx) x) S 1 4242 4242 0 -1 4194304 100 0 0 0 700 300 20 10 20 0 11 0 5 0';
    expect(parseCpuTicks(stat)).toBe(700 + 300 + 20 + 10);
  });

  it('counts the machine’s busy ticks from /proc/stat: everything but idle and iowait', () => {
    expect(parseBusyTicks('cpu  100 5 50 9000 40 3 2 1 0 0\ncpu0 50 2 25 4500 20 1 1 0 0 0\n')).toBe(161);
    expect(parseBusyTicks('intr 1 2 3\n')).toBeUndefined();
  });

  it('pins with taskset on Linux with two cores or more, and says why when it cannot', () => {
    expect(pinningPlan(1, 'linux')).toMatchObject({ serverCpu: undefined, loadCpu: undefined });
    expect(pinningPlan(1, 'linux').description).toMatch(/^unpinned: one core/);
    expect(pinningPlan(8, 'darwin').description).toMatch(/^unpinned: taskset is Linux's/);
    expect(pinnedCommand('node', ['a.ts'], 1)).toEqual({
      command: 'taskset',
      args: ['--cpu-list', '1', 'node', 'a.ts'],
    });
    expect(pinnedCommand('node', ['a.ts'], undefined)).toEqual({ command: 'node', args: ['a.ts'] });
  });

  it('the bare oidc-provider peer is the version bank-op runs', () => {
    const { repoRoot } = sandboxConfig();
    const dependency = (dir: string) =>
      (
        JSON.parse(fs.readFileSync(path.join(repoRoot, dir, 'package.json'), 'utf8')) as {
          dependencies: Record<string, string>;
        }
      ).dependencies['oidc-provider'];
    expect(dependency('scripts')).toBe(dependency('apps/bank-op'));
  });

  it('names what bounds the replica figures: the cores when they were busy, and whose work kept them so', () => {
    const setup = (replicas: number, machine: number, others: number) => ({
      name: `${replicas}`,
      replicas,
      storage: 'postgres+redis' as const,
      rounds: [1],
      median: 1,
      ratioToEmbedded: 1,
      busy: { machine, others },
    });
    expect(boundBy([setup(1, 0.5, 0), setup(4, 0.97, 0.3)])).toBe(
      "the machine's cores: they were busy 97% of the time while 4 replicas ran, 30% of them by processes outside the benchmark, so more replicas only share them",
    );
    expect(boundBy([setup(2, 0.6, 0.01)])).toMatch(
      /^not the cores alone \(busy 60% of the time with 2 replicas\)/,
    );
    expect(boundBy([{ ...setup(2, 0, 0), busy: undefined }])).toMatch(/^unknown/);
  });

  it('quick settings run every section for less time', () => {
    const quick = settingsFor(true);
    const full = settingsFor(false);
    expect(quick.rounds).toBeGreaterThanOrEqual(2);
    expect(quick.roundMs).toBeLessThan(full.roundMs);
    expect(quick.inFlight).toBe(16);
    expect(full.inFlight).toBe(16);
    expect(full.replicas.counts).toEqual([1, 2, 4]);
    expect(quick.replicas.roundMs).toBeLessThan(full.replicas.roundMs);
    // The full run's idle memory is read once V8's memory reducer has had its turn, the early one beside it.
    expect(full.devAfterStartMs).toBe(5000);
    expect(full.devIdleMs).toBeGreaterThanOrEqual(60_000);
    expect(quick.devIdleMs).toBeLessThan(full.devIdleMs);
    expect(quick.devAfterStartMs).toBeLessThanOrEqual(quick.devIdleMs);
  });
});

describe('pnpm bench --quick --json', () => {
  it('measures every server against its peer and reports the ratios, the launcher and the machine', () => {
    const { FAPI_BENCH_PORT_BASE: _base, ...env } = process.env;
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/bench/cli.ts', '--quick', '--json'], {
      cwd: path.join(sandboxConfig().repoRoot, 'scripts'),
      env,
      encoding: 'utf8',
      timeout: 470_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as BenchReport;
    expect(Object.keys(report.ratios).sort()).toEqual([
      'bankApiDpopVsFloor',
      'bankApiMtlsVsFloor',
      'journeysVsFloor',
      'tokenEndpointVsBareOidcProvider',
    ]);
    for (const [key, ratio] of Object.entries(report.ratios)) {
      expect(Number.isFinite(ratio) && ratio > 0, `${key} = ${ratio}`).toBe(true);
      const comparison = report.comparisons[key as keyof BenchReport['ratios']];
      expect(comparison.subject.rounds).toHaveLength(report.settings.rounds);
      expect(comparison.peer.rounds).toHaveLength(report.settings.rounds);
      expect(comparison.ratio).toBe(ratio);
    }
    for (const figure of [report.devReadySeconds, report.idleRssMiB, report.dev.rssAfterStartMiB]) {
      expect(Number.isFinite(figure) && figure > 0).toBe(true);
    }
    // The idle figure is the last of the readings, one a second after ready; the early one among them.
    const { dev } = report;
    expect(dev.idleSeconds).toBe(report.settings.devIdleMs / 1000);
    expect(dev.afterStartSeconds).toBe(report.settings.devAfterStartMs / 1000);
    expect(dev.rssEverySecondMiB).toHaveLength(dev.idleSeconds);
    expect(dev.rssEverySecondMiB.at(-1)).toBe(Math.round(report.idleRssMiB));
    expect(dev.rssEverySecondMiB[dev.afterStartSeconds - 1]).toBe(Math.round(dev.rssAfterStartMiB));
    // Where the memory goes: pnpm, the launcher and every party, adding up to the figure.
    expect(dev.processesRss).toHaveLength(dev.processes);
    expect(dev.processesRss.map((p) => p.name)).toEqual(
      expect.arrayContaining(['pnpm', 'launcher (start.mjs)', 'directory', 'bank-op', 'bank-api', 'tpp']),
    );
    const sum = dev.processesRss.reduce((total, p) => total + p.mib, 0);
    expect(Math.abs(sum - report.idleRssMiB)).toBeLessThan(0.1 * dev.processes);
    expect(report.machine).toMatchObject({
      cores: expect.any(Number),
      cpuModel: expect.any(String),
      node: process.version,
      loadAverageBefore: expect.any(Array),
      loadAverageAfter: expect.any(Array),
    });
    expect(report.machine.otherProcessesCpuSeconds).toBeGreaterThanOrEqual(0);
    // #16: the embedded default, then PostgreSQL + Redis with each replica count, in one run.
    const { setups } = report.replicaScaling;
    expect(setups.map((s) => [s.storage, s.replicas])).toEqual([
      ['embedded', 1],
      ...report.settings.replicas.counts.map((n) => ['postgres+redis', n]),
    ]);
    for (const setup of setups) {
      expect(setup.rounds).toHaveLength(report.settings.replicas.rounds);
      expect(setup.median).toBeGreaterThan(0);
      expect(setup.ratioToEmbedded).toBeCloseTo(setup.median / setups[0]!.median);
    }
    expect(report.replicaScaling.boundBy).toMatch(/cores|waited/);
  }, 480_000);
});
