// The sandbox's servers for the benchmark, started as `pnpm dev` starts them (dev/party-bundle.ts and
// dev/party-command.ts: node running the party's bundle, in its workspace folder) on the bench configuration,
// each pinned where asked, and waited for until /health answers over TLS. With `replicas` above 1, bank-op
// and bank-api run as that many processes each behind the TCP pass-through balancer, as
// `pnpm dev --replicas N` runs them (dev/replicas.ts); they share the configuration's Redis.
import { environmentFor, type SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { startableParties } from '../dev/parties.js';
import { bundleParty } from '../dev/party-bundle.js';
import { partyCommand } from '../dev/party-command.js';
import { replicaPortsFor, startBalancers, supervisedProcesses } from '../dev/replicas.js';
import { waitUntilHealthy } from '../dev/wait-ready.js';
import { type BenchProcess, failureOf, startProcess } from './child-process.js';

/** The parties the measurements need: the TPP's web app is not on any measured path. */
const MEASURED = ['directory', 'bank-op', 'bank-api'];

/** What `startParties` started: each process, and a stop for all of them (balancers included). */
export interface RunningParties {
  processes: BenchProcess[];
  stop(): Promise<void>;
}

export async function startParties(
  config: SandboxConfig,
  cpu: number | undefined,
  replicas = 1,
): Promise<RunningParties> {
  if (replicas > 1 && !config.redisUrl) throw new Error('replicas share their state through REDIS_URL');
  const env = { ...process.env, ...environmentFor(config) };
  const replicaPorts = replicas > 1 ? await replicaPortsFor(config, replicas) : undefined;
  const parties = startableParties(config).filter(({ party }) => MEASURED.includes(party.name));
  const processes: BenchProcess[] = [];
  const balancers = replicaPorts ? await startBalancers(config, replicaPorts) : [];
  const stop = async () => {
    await Promise.all([...processes.map((p) => p.stop()), ...balancers.map((b) => b.stop())]);
  };
  try {
    await Promise.all(
      supervisedProcesses(parties, replicaPorts).map(async (supervised) => {
        const { dir, healthUrl } = supervised;
        const { command, args } = partyCommand(
          (await bundleParty(config.repoRoot, supervised.party.name, dir)).file,
        );
        const process = startProcess({
          name: supervised.name,
          command,
          args,
          cwd: dir,
          env: { ...env, ...supervised.env },
          cpu,
        });
        processes.push(process);
        try {
          await waitUntilHealthy(healthUrl, config, { timeoutMs: 60_000, isAlive: process.isAlive });
        } catch (err) {
          throw failureOf(process, `did not start: ${(err as Error).message}`);
        }
      }),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { processes, stop };
}
