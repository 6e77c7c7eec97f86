// `pnpm bench`: every server against its peer in the same run, and `pnpm dev`'s start-up and memory.
//   --quick  a short smoke run of every section
//   --json   print the figures as one JSON document instead of the tables

import { sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { readCommandLine } from '../command-line.js';
import { ensurePki, generatedNotice } from '../pki/ensure.js';
import { renderReport } from './report.js';
import { runBenchmark, settingsFor } from './run.js';

const USAGE = 'usage: pnpm bench [--quick] [--json]';
const { values } = readCommandLine(USAGE, {
  options: { quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
});
// Exit through process.exit so that 'exit' handlers stop every process the benchmark started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

try {
  // The parties load the sandbox PKI from certs/; generate it first if it is missing or stale.
  const config = sandboxConfig();
  const pki = await ensurePki(config);
  if (pki.action === 'generated') console.error(generatedNotice(config, pki));
  const began = performance.now();
  const progress = (line: string) =>
    console.error(`▸ ${((performance.now() - began) / 1000).toFixed(0).padStart(3)} s  ${line}`);
  const report = await runBenchmark(settingsFor(values.quick), progress);
  console.log(values.json ? JSON.stringify(report, null, 2) : renderReport(report));
  process.exit(0);
} catch (err) {
  console.error(`benchmark failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
}
