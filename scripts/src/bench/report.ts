// The benchmark's printed report: each figure beside its peer in the same run, the ratio and the issue's
// target with a mark (informational: the run itself succeeds either way), then `pnpm dev`'s figures and
// the machine it ran on; `--json` prints the BenchReport object instead.
import type { ReplicaScaling } from './replica-scaling.js';
import type { BenchReport } from './run.js';

/** A cell that holds a number (or a dash) is right-aligned, anything else left-aligned. */
const NUMERIC = /^(-|—|[-+]?[\d,.]+( ?(ms|s|MiB|%|req\/s|journeys\/s|×))?)$/;

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

const rate = (value: number): string => value.toFixed(value >= 100 ? 0 : 1);
const mark = (met: boolean): string => (met ? '✓' : '✗');

export function renderReport(report: BenchReport): string {
  const comparisons = Object.entries(report.comparisons).map(([key, c]) => [
    key,
    `${c.subject.name} ${rate(c.subject.median)} ${c.unit}`,
    `${c.peer.name} ${rate(c.peer.median)} ${c.unit}`,
    c.ratio.toFixed(2),
    `≥ ${c.target} ${mark(c.ratio >= c.target)}`,
  ]);
  const { dev, targets, machine } = report;
  const launcher = [
    [
      'devReadySeconds',
      `pnpm dev, warm start, until every party is healthy: ${dev.warmReadySeconds.toFixed(1)} s (first start ${dev.coldReadySeconds.toFixed(1)} s)`,
      `≤ ${targets.devReadySeconds} s ${mark(dev.warmReadySeconds <= targets.devReadySeconds)}`,
    ],
    [
      'idleRssMiB',
      `the running sandbox after ${dev.idleSeconds} s idle, ${dev.processes} processes (launchers included): ${dev.idleRssMiB.toFixed(0)} MiB (${dev.rssAfterStartMiB.toFixed(0)} MiB ${dev.afterStartSeconds} s after ready)`,
      `≤ ${targets.idleRssMiB} MiB ${mark(dev.idleRssMiB <= targets.idleRssMiB)}`,
    ],
  ];
  const load = (values: number[]) => values.map((v) => v.toFixed(2)).join(' ');
  const other =
    machine.otherProcessesCpuSeconds === undefined
      ? 'not measured (no /proc/stat)'
      : `${machine.otherProcessesCpuSeconds.toFixed(1)} CPU s (${(100 * machine.otherProcessesCpuShare!).toFixed(0)}% of the machine over ${machine.wallSeconds.toFixed(0)} s)`;
  return [
    '',
    `FAPI Sandbox benchmark (${report.settings.mode}): each server against its peer in the same run, ${report.settings.rounds} interleaved rounds, medians`,
    '',
    renderTable(['ratio', 'subject', 'peer / floor', 'ratio', 'target'], comparisons),
    '',
    ...Object.values(report.comparisons).map((c, i) => `  ${comparisons[i]![0]}: ${c.figure}`),
    '',
    renderTable(['figure', 'measured', 'target'], launcher),
    `  idleRssMiB by process: ${dev.processesRss.map((p) => `${p.name} ${p.mib.toFixed(0)}`).join(', ')} (MiB)`,
    '',
    ...renderReplicaScaling(report.replicaScaling),
    '',
    `Machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryMiB} MiB, node ${machine.node} (${machine.platform})`,
    `  ${machine.pinning}`,
    `  load average before ${load(machine.loadAverageBefore)}, after ${load(machine.loadAverageAfter)}`,
    `  other processes during the run: ${other}`,
    '  Targets are informational: the benchmark exits 0 unless it broke.',
    '',
  ].join('\n');
}

/** Journeys per second by storage and replica count, each against the embedded default, and the bound. */
export function renderReplicaScaling(scaling: ReplicaScaling): string[] {
  const percent = (share: number) => `${Math.round(share * 100)}%`;
  return [
    `Replicas (#16): whole journeys, ${scaling.settings.journeysInFlight} in flight, ${scaling.settings.rounds} rounds per setup taken in turn, medians`,
    '',
    renderTable(
      ['setup', 'journeys/s', 'vs embedded', 'cores busy', 'by others'],
      scaling.setups.map((setup) => [
        setup.name,
        rate(setup.median),
        `${setup.ratioToEmbedded.toFixed(2)}×`,
        setup.busy ? percent(setup.busy.machine) : '-',
        setup.busy ? percent(setup.busy.others) : '-',
      ]),
    ),
    `  Bounded by ${scaling.boundBy}.`,
  ];
}
