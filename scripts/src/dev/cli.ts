// `pnpm dev`: generate the PKI if needed, start every party, wait until each is healthy, print the
// ready table. `--no-watch` runs without restarting on file changes (e2e and CI use it).
import fs from 'node:fs';
import { sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { ensurePki } from '../pki/ensure.js';
import { demoCustomers } from './demo-customers.js';
import { startableParties } from './parties.js';
import { renderReadyTable } from './ready-table.js';
import { Supervisor } from './supervisor.js';
import { waitUntilHealthy } from './wait-ready.js';

const watch = !process.argv.includes('--no-watch');
const config = sandboxConfig();
const started = performance.now();

const pki = await ensurePki(config);
if (pki.action === 'generated')
  console.log(`Generated the sandbox PKI in ${config.certsDir} (${pki.reasons.join('; ')}).`);

const parties = startableParties(config);
let shuttingDown = false;
const supervisor = new Supervisor(
  parties.map((p) => p.party.name),
  (name, code) => {
    if (shuttingDown) return;
    console.error(
      `\n${name} exited (code ${code}).${watch ? ' Fix the error above; tsx watch restarts it on save.' : ''}`,
    );
    if (!watch) void shutdown(1);
  },
);

async function shutdown(code: number): Promise<never> {
  shuttingDown = true;
  await supervisor.stopAll();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

const perPartyMs: Record<string, number> = {};
// All parties start at once: none needs another to boot (each fetches what it trusts when first asked).
await Promise.all(
  parties.map(async ({ party, dir, healthUrl }) => {
    const proc = supervisor.start(party.name, dir, { watch, env: process.env, repoRoot: config.repoRoot });
    try {
      perPartyMs[party.name] = await waitUntilHealthy(healthUrl, config, {
        timeoutMs: 60_000,
        isAlive: () => proc.child.exitCode === null,
      });
    } catch (err) {
      console.error(`\n${party.name} did not become ready: ${(err as Error).message}`);
      await shutdown(1);
    }
  }),
);

const adminCredential = fs.existsSync(config.directory.adminCredentialFile)
  ? fs.readFileSync(config.directory.adminCredentialFile, 'utf8').trim()
  : undefined;
console.log(
  renderReadyTable(config, {
    startupMs: performance.now() - started,
    perPartyMs,
    adminCredential,
    demoCustomers: demoCustomers(),
  }),
);
