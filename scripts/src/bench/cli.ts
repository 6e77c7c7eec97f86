// `pnpm bench`: every server against its peer in the same run, and `pnpm dev`'s start-up and memory.
//   --quick  a short smoke run of every section
//   --json   print the figures as one JSON document instead of the tables
//   --only replicas  only the replica figures (#16): journeys/s with 1, 2 and 4 replicas on PostgreSQL +
//                    Redis against the embedded default

import { sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { readCommandLine } from '../command-line.js';
import { ensurePki, generatedNotice } from '../pki/ensure.js';
import { measureReplicaScaling } from './replica-scaling.js';
import { renderReplicaScaling, renderReport } from './report.js';
import { runBenchmark, settingsFor } from './run.js';

const USAGE = 'usage: pnpm bench [--quick] [--json] [--only replicas]';
const { values } = readCommandLine(USAGE, {
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
if (values.only !== undefined && values.only !== 'replicas') {
  console.error(`--only ${values.only}: the one section that runs alone is 'replicas'\n${USAGE}`);
  process.exit(2);
}
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
  const settings = settingsFor(values.quick);
  if (values.only === 'replicas') {
    const scaling = await measureReplicaScaling(settings.replicas, progress);
    console.log(
      values.json ? JSON.stringify(scaling, null, 2) : ['', ...renderReplicaScaling(scaling), ''].join('\n'),
    );
  } else {
    const report = await runBenchmark(settings, progress);
    console.log(values.json ? JSON.stringify(report, null, 2) : renderReport(report));
  }
  process.exit(0);
} catch (err) {
  console.error(`benchmark failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
}
