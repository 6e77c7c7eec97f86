// `pnpm bench`: measures the sandbox on this machine and prints the figures.
//   --quick  fewer iterations (a smoke run of every section)
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
const json = values.json;
// Exit through process.exit so that 'exit' handlers stop any party processes still running.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const settings = settingsFor(values.quick);

try {
  // The parties load the sandbox PKI from certs/; generate it first if it is missing or stale.
  const config = sandboxConfig();
  const pki = await ensurePki(config);
  if (pki.action === 'generated') console.error(generatedNotice(config, pki));
  const report = await runBenchmark(settings, (line) => console.error(`▸ ${line}`));
  console.log(json ? JSON.stringify(report, null, 2) : renderReport(report));
  // Keep-alive sockets and timers of the parties' libraries must not keep the process alive once done.
  process.exit(0);
} catch (err) {
  console.error(`benchmark failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
}
