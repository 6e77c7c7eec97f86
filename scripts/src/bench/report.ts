// The benchmark's printed report: one aligned table per section, figures in milliseconds, requests per
// second and MiB; `--json` prints the BenchReport object instead.
import type { PartyName } from '@fapi-sandbox/fapi-core/config';
import type { PartyMemory } from './child-parties.js';
import { FLOW_STEPS } from './flows.js';
import type { BenchReport, StartupRun } from './run.js';

/** A cell that holds a number (or a dash) is right-aligned, anything else left-aligned. */
const NUMERIC = /^(-|—|[-+]?[\d,.]+( ?(ms|s|MiB|%|req\/s))?)$/;

/** Rows under a header, columns padded to their widest cell, a rule under the header. */
export function renderTable(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, col) => Math.max(...all.map((row) => (row[col] ?? '').length)));
  const numeric = header.map(
    (_, col) => rows.length > 0 && rows.every((row) => NUMERIC.test(row[col] ?? '')),
  );
  const line = (row: string[]) =>
    `  ${row
      .map((cell, col) => (numeric[col] ? cell.padStart(widths[col]!) : cell.padEnd(widths[col]!)))
      .join('  ')}`.trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Milliseconds with the precision that matters: 1261, 9.5, 0.12. */
export const ms = (value: number): string => value.toFixed(value >= 100 ? 0 : value >= 1 ? 1 : 2);
const mib = (value: number): string => value.toFixed(1);
const kibAsMib = (kib: number): string => (kib / 1024).toFixed(1);

function startupTable(report: BenchReport): string {
  const { startup } = report;
  const children = 'parties' in startup.childProcesses ? startup.childProcesses : undefined;
  const readyOf = (run: StartupRun | undefined, party: PartyName) =>
    run?.parties.find((p) => p.party === party)?.readyMs;
  const cell = (value: number | undefined) => (value === undefined ? '—' : ms(value));
  const parties: PartyName[] = ['directory', 'bank-op', 'bank-api', 'tpp'];
  const rows = parties.map((party) => [
    party,
    cell(startup.importMs[party]),
    cell(readyOf(startup.cold, party)),
    cell(readyOf(startup.warm, party)),
    cell(readyOf(children, party)),
  ]);
  const importTotal = Object.values(startup.importMs).reduce((a, b) => a + b, 0);
  rows.push([
    'total',
    ms(importTotal),
    ms(startup.cold.totalMs),
    ms(startup.warm.totalMs),
    children ? ms(children.totalMs) : '—',
  ]);
  return renderTable(
    ['party', 'import (ms)', 'cold in-process (ms)', 'warm in-process (ms)', 'child process (ms)'],
    rows,
  );
}

function flowTable(report: BenchReport): string {
  const header = ['step (ms)'];
  for (const flow of report.flows) header.push(`${flow.variant} p50`, 'p95');
  const rows = [...FLOW_STEPS, 'total' as const].map((step) => [
    step,
    ...report.flows.flatMap((flow) => [ms(flow.steps[step].p50), ms(flow.steps[step].p95)]),
  ]);
  return renderTable(header, rows);
}

function throughputTable(report: BenchReport): string {
  return renderTable(
    ['binding', 'endpoint', 'requests', 'concurrency', 'req/s', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)'],
    report.throughput.rows.map((row) => [
      row.binding === 'dpop' ? 'DPoP' : 'mTLS',
      row.endpoint,
      String(row.count),
      String(row.concurrency),
      row.requestsPerSecond.toFixed(0),
      ms(row.latency.p50),
      ms(row.latency.p95),
      ms(row.latency.p99),
    ]),
  );
}

function memorySection(report: BenchReport): string[] {
  const { inProcess, childProcesses } = report.memory;
  const lines = [
    renderTable(
      ['all four parties (and the benchmark client) in this process', 'MiB'],
      [
        ['RSS', mib(inProcess.rssMiB)],
        ['heap used', mib(inProcess.heapUsedMiB)],
        ['heap total', mib(inProcess.heapTotalMiB)],
        ['external (buffers, native)', mib(inProcess.externalMiB)],
      ],
    ),
    '',
  ];
  if ('skipped' in childProcesses) {
    lines.push(`  Child processes: skipped (${childProcesses.skipped}).`);
  } else {
    const total = (pick: (p: PartyMemory & { totalKiB: number }) => number) =>
      childProcesses.reduce((sum, p) => sum + pick(p), 0);
    lines.push(
      renderTable(
        ['party as a child process', 'app RSS (MiB)', 'helpers RSS (MiB)', 'total (MiB)'],
        [
          ...childProcesses.map((p) => [
            p.party,
            kibAsMib(p.appKiB),
            kibAsMib(p.helpersKiB),
            kibAsMib(p.totalKiB),
          ]),
          [
            'all parties',
            kibAsMib(total((p) => p.appKiB)),
            kibAsMib(total((p) => p.helpersKiB)),
            kibAsMib(total((p) => p.totalKiB)),
          ],
        ],
      ),
      '  VmRSS from /proc/<pid>/status after one journey per way of connecting. "app" is the node process',
      '  pnpm dev spawns; "helpers" what it started (the esbuild service tsx runs; for the TPP also Vite\'s).',
    );
  }
  return lines;
}

export function renderReport(report: BenchReport): string {
  const { settings, machine, pki, throughput } = report;
  const childStartup = report.startup.childProcesses;
  const proof = throughput.dpopProof;
  return [
    '',
    `FAPI Sandbox benchmark (${settings.mode}), ${report.generatedAt}`,
    `Node ${machine.node}, ${machine.platform}/${machine.arch}, ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryMiB} MiB RAM.`,
    'Loopback only; whatever else the machine is doing shows in the figures.',
    '',
    `1. PKI generation: generatePki into a temporary folder (${pki.files} files), ${pki.runs.length} run(s)`,
    renderTable(
      ['min (ms)', 'median (ms)', 'max (ms)'],
      [[ms(pki.summary.min), ms(pki.summary.p50), ms(pki.summary.max)]],
    ),
    '',
    '2. Startup until /health answers',
    startupTable(report),
    '  import: loading each app into this process (tsx transpiles it; the first also loads what all share).',
    '  cold/warm in-process: start<App>() one after the other in this process, modules already loaded;',
    '  cold on a fresh data folder (the directory and the bank seed it), warm on that folder again.',
    'parties' in childStartup
      ? "  child process: pnpm dev's way (as with --no-watch), one `node --import tsx src/main.ts` per party, all spawned at\n" +
        '  once; includes node and tsx starting, transpiling and importing; fresh data folder.'
      : `  child process: skipped (${childStartup.skipped}).`,
    `  TPP web app: ${report.startup.tppWeb}.`,
    '',
    `3. Consent-to-API journey over HTTP, no browser: ${settings.flowRuns} runs in a row per way of connecting`,
    ...report.flows.map((flow) => {
      const retries = flow.dpopNonceRetries ? `, DPoP nonce retries ${flow.dpopNonceRetries}` : '';
      return `  ${flow.variant}: ${flow.title} (discovery + SSA + DCR once: ${ms(flow.registrationMs)} ms${retries})`;
    }),
    flowTable(report),
    '',
    '4. bank-api load with one customer token per binding (every response checked: 200)',
    throughputTable(report),
    `  DPoP proof creation on the client (ES256, ath + nonce), ${proof.count}×: p50 ${ms(proof.p50)} ms,`,
    `  p95 ${ms(proof.p95)} ms. bank-api asked for a fresh DPoP nonce ${throughput.dpopNonceRetries} time(s)`,
    '  during the DPoP runs (it rotates them; each costs one extra round trip).',
    '',
    '5. Memory',
    ...memorySection(report),
    '',
  ].join('\n');
}
