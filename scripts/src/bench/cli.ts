// `pnpm bench`: measures the sandbox on this machine and prints the figures.
//   --quick  fewer iterations (a smoke run of every section)
//   --json   print the figures as one JSON document instead of the tables

import { sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { ensurePki } from '../pki/ensure.js';
import { renderReport } from './report.js';
import { runBenchmark, settingsFor } from './run.js';

const USAGE = 'usage: pnpm bench [--quick] [--json]';
const KNOWN = new Set(['--quick', '--json', '--help', '-h']);

const args = process.argv.slice(2);
const unknown = args.filter((arg) => !KNOWN.has(arg));
if (args.includes('--help') || args.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
if (unknown.length > 0) {
  console.error(`unknown option ${unknown.join(', ')}\n${USAGE}`);
  process.exit(2);
}
const json = args.includes('--json');
// Exit through process.exit so that 'exit' handlers stop any party processes still running.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
const settings = settingsFor(args.includes('--quick'));

try {
  // The parties load the sandbox PKI from certs/; generate it first if it is missing or stale.
  const pki = await ensurePki(sandboxConfig());
  if (pki.action === 'generated') console.error(`Generated the sandbox PKI (${pki.reasons.join('; ')}).`);
  const report = await runBenchmark(settings, (line) => console.error(`▸ ${line}`));
  console.log(json ? JSON.stringify(report, null, 2) : renderReport(report));
  // Keep-alive sockets and timers of the parties' libraries must not keep the process alive once done.
  process.exit(0);
} catch (err) {
  console.error(`benchmark failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
}
