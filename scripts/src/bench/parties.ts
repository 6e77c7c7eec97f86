// The sandbox's servers for the benchmark, started as `pnpm dev` starts them (dev/party-bundle.ts and
// dev/party-command.ts: node running the party's bundle, in its workspace folder) on the bench configuration,
// each pinned to the servers' core, and waited for until /health answers over TLS.
import { environmentFor, type SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { startableParties } from '../dev/parties.js';
import { bundleParty } from '../dev/party-bundle.js';
import { partyCommand } from '../dev/party-command.js';
import { waitUntilHealthy } from '../dev/wait-ready.js';
import { type BenchProcess, failureOf, startProcess } from './child-process.js';

/** The parties the measurements need: the TPP's web app is not on any measured path. */
const MEASURED = ['directory', 'bank-op', 'bank-api'];

export async function startParties(config: SandboxConfig, cpu: number | undefined): Promise<BenchProcess[]> {
  const env = { ...process.env, ...environmentFor(config) };
  const started: BenchProcess[] = [];
  try {
    await Promise.all(
      startableParties(config)
        .filter(({ party }) => MEASURED.includes(party.name))
        .map(async ({ party, dir, healthUrl }) => {
          const { command, args } = partyCommand((await bundleParty(config.repoRoot, party.name, dir)).file);
          const process = startProcess({ name: party.name, command, args, cwd: dir, env, cpu });
          started.push(process);
          try {
            await waitUntilHealthy(healthUrl, config, { timeoutMs: 60_000, isAlive: process.isAlive });
          } catch (err) {
            throw failureOf(process, `did not start: ${(err as Error).message}`);
          }
        }),
    );
  } catch (err) {
    await Promise.all(started.map((p) => p.stop()));
    throw err;
  }
  return started;
}
