// The benchmark's pure parts (percentiles, summaries, the load loop, the report table, /proc parsing) and
// its timed journey against real in-process parties (the flow client's own tests are in packages/fapi-client).
import { FapiFlowClient, FLOW_VARIANTS } from '@fapi-sandbox/fapi-client';
import { isolatedConfig, removeTestData } from '@fapi-sandbox/fapi-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseVmRss } from '../src/bench/child-parties.js';
import { FLOW_STEPS, runFlowOnce } from '../src/bench/flows.js';
import { renderTable } from '../src/bench/report.js';
import { demoCustomer, settingsFor } from '../src/bench/run.js';
import { loadPartyModules, type RunningSandbox, startSandbox } from '../src/bench/sandbox.js';
import { percentile, summarize, throughput } from '../src/bench/stats.js';
import { runLoad } from '../src/bench/throughput.js';

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
  it('sends exactly `count` requests with at most `concurrency` in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    let sent = 0;
    const result = await runLoad(40, 8, async () => {
      sent++;
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      inFlight--;
    });
    expect(sent).toBe(40);
    expect(peak).toBe(8);
    expect(result.latency.count).toBe(40);
    expect(result.requestsPerSecond).toBeGreaterThan(0);
  });

  it('fails the run on the first failed request and stops sending', async () => {
    let sent = 0;
    await expect(
      runLoad(100, 4, async () => {
        sent++;
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (sent === 10) throw new Error('answered 401');
      }),
    ).rejects.toThrow('answered 401');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sent).toBeLessThan(20);
  });

  it('refuses a count or concurrency that is not a positive integer', async () => {
    await expect(runLoad(0, 1, async () => {})).rejects.toThrow(RangeError);
    await expect(runLoad(10, 1.5, async () => {})).rejects.toThrow(RangeError);
  });
});

describe('report and process helpers', () => {
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

  it('quick settings run every section with fewer iterations', () => {
    const quick = settingsFor(true);
    const full = settingsFor(false);
    expect(full).toMatchObject({ pkiRuns: 3, flowRuns: 20, loadCount: 500, concurrencies: [1, 8] });
    expect(quick.flowRuns).toBeLessThan(full.flowRuns);
    expect(quick.loadCount).toBeLessThan(full.loadCount);
  });
});

describe('the timed journey against in-process directory, bank-op and bank-api', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox(await loadPartyModules(), await isolatedConfig(), { tpp: false });
  }, 30_000);

  afterAll(async () => {
    await sandbox?.stop();
    if (sandbox) removeTestData(sandbox.config);
  });

  // The client's own checks are tested in packages/fapi-client; here, that each step is timed.
  it('times every step of one journey', async () => {
    const client = await FapiFlowClient.connect({ config: sandbox.config, variant: FLOW_VARIANTS[0]! });
    try {
      const run = await runFlowOnce(client, demoCustomer());
      expect(run.accountIds.length).toBeGreaterThan(0);
      for (const step of FLOW_STEPS) expect(run.timings[step]).toBeGreaterThan(0);
      expect(run.timings.total).toBeGreaterThanOrEqual(
        FLOW_STEPS.reduce((sum, step) => sum + run.timings[step], 0),
      );
    } finally {
      await client.close();
    }
  });
});
