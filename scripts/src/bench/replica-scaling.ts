// Issue #16's figure: whole journeys per second with 1, 2 and 4 replicas of bank-op and bank-api on
// PostgreSQL + Redis, against the embedded default (SQLite, state in each process, one process per
// party), measured in one run. Every setup runs at once on ports, a data folder, a PostgreSQL database
// and a Redis database of its own, idle but for its turn; the rounds go round the setups (embedded, 1, 2,
// 4, embedded, …) so a machine that gets busier half-way disturbs them alike, and medians are compared.
// Each setup has its own load generator (load/load-generator.ts: the same journeys as the journeys figure).
// Nothing is pinned: replicas are there to use more than one core. What bounds the figures is read from
// how busy the whole machine was during each setup's rounds.
import { environmentFor, loadConfig, type SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { startRedisServer } from '@fapi-sandbox/fapi-core/redis-server';
import { freshPostgresDatabase, startTestPostgres } from '@fapi-sandbox/fapi-core/testing-postgres';
import type { BenchProcess } from './child-process.js';
import { request, whenReady } from './ipc.js';
import type { DriveResult } from './load/drive.js';
import { type BusyShares, watchMachineBusy } from './machine.js';
import { type RunningParties, startParties } from './parties.js';
import { benchConfig, benchPort } from './ports.js';
import { startScript } from './script-process.js';
import { summarize } from './stats.js';

export interface ReplicaScalingSettings {
  /** The hosted setups' replica counts (1, 2 and 4 in a full run). */
  counts: number[];
  rounds: number;
  roundMs: number;
  warmupMs: number;
  /** Journeys in flight against every setup alike: enough to keep 4 replicas of each party busy. */
  journeysInFlight: number;
}

export interface SetupFigures {
  /** "embedded" or "PostgreSQL + Redis, N replicas". */
  name: string;
  replicas: number;
  storage: 'embedded' | 'postgres+redis';
  /** Journeys per second, one per measured round. */
  rounds: number[];
  median: number;
  /** How busy the machine was during this setup's rounds (medians; 1 = every core, all along). */
  busy: BusyShares | undefined;
  /** median / the embedded setup's median. */
  ratioToEmbedded: number;
}

export interface ReplicaScaling {
  settings: ReplicaScalingSettings;
  setups: SetupFigures[];
  /** One sentence: what bounds the figures on this machine. */
  boundBy: string;
}

interface RunningSetup {
  name: string;
  replicas: number;
  storage: SetupFigures['storage'];
  config: SandboxConfig & { remove(): void };
  parties: RunningParties;
  load: BenchProcess;
}

export async function measureReplicaScaling(
  settings: ReplicaScalingSettings,
  progress: (line: string) => void,
): Promise<ReplicaScaling> {
  progress('Replica scaling: a PostgreSQL server and a redis-server for the hosted setups');
  const postgres = await startTestPostgres({ port: await benchPort() });
  const redis = await startRedisServer(await benchPort(), { databases: settings.counts.length + 1 });
  const setups: RunningSetup[] = [];
  try {
    const wanted = [
      { replicas: 1, storage: 'embedded' as const },
      ...settings.counts.map((replicas) => ({ replicas, storage: 'postgres+redis' as const })),
    ];
    for (const [index, { replicas, storage }] of wanted.entries()) {
      const name =
        storage === 'embedded'
          ? 'embedded (SQLite, one process per party)'
          : `PostgreSQL + Redis, ${replicas} replica${replicas > 1 ? 's' : ''} of bank-op and bank-api`;
      progress(`Replica scaling: starting ${name}`);
      // Each party's database (config.ts) and a Redis database per setup; none at all for the embedded one,
      // whatever this shell's environment names.
      const storageEnvironment =
        storage === 'embedded'
          ? { DATABASE_URL: '', FAPI_DIRECTORY_DATABASE_URL: '', FAPI_TPP_DATABASE_URL: '', REDIS_URL: '' }
          : {
              DATABASE_URL: await freshPostgresDatabase(postgres.url),
              FAPI_DIRECTORY_DATABASE_URL: await freshPostgresDatabase(postgres.url),
              FAPI_TPP_DATABASE_URL: await freshPostgresDatabase(postgres.url),
              REDIS_URL: `${redis.url}/${index}`,
            };
      const base = await benchConfig();
      const config = Object.assign(
        loadConfig({ ...process.env, ...environmentFor(base), ...storageEnvironment }),
        { remove: base.remove },
      );
      const parties = await startParties(config, undefined, replicas);
      const load = startScript(`load generator (${name})`, 'load/load-generator.ts', [], config, undefined);
      setups.push({ name, replicas, storage, config, parties, load });
      await whenReady(load);
      await request(load, 'prepare');
    }

    const journeys = async (setup: RunningSetup, durationMs: number) =>
      (
        await request<DriveResult>(setup.load, 'journeys', {
          durationMs,
          inFlight: settings.journeysInFlight,
        })
      ).perSecond;
    for (const setup of setups) await journeys(setup, settings.warmupMs);
    const rounds = new Map<RunningSetup, number[]>(setups.map((setup) => [setup, []]));
    const busy = new Map<RunningSetup, BusyShares[]>(setups.map((setup) => [setup, []]));
    for (let round = 0; round < settings.rounds; round++) {
      progress(`Replica scaling: round ${round + 1} of ${settings.rounds}, every setup in turn`);
      for (const setup of setups) {
        const machineBusy = watchMachineBusy();
        rounds.get(setup)!.push(await journeys(setup, settings.roundMs));
        const share = machineBusy();
        if (share !== undefined) busy.get(setup)!.push(share);
      }
    }

    const embeddedMedian = summarize(rounds.get(setups[0]!)!).p50;
    const figures = setups.map((setup): SetupFigures => {
      const measured = rounds.get(setup)!;
      const shares = busy.get(setup)!;
      const median = summarize(measured).p50;
      return {
        name: setup.name,
        replicas: setup.replicas,
        storage: setup.storage,
        rounds: measured,
        median,
        busy:
          shares.length > 0
            ? {
                machine: summarize(shares.map((s) => s.machine)).p50,
                others: summarize(shares.map((s) => s.others)).p50,
              }
            : undefined,
        ratioToEmbedded: median / embeddedMedian,
      };
    });
    return { settings, setups: figures, boundBy: boundBy(figures) };
  } finally {
    await Promise.all(setups.map((setup) => Promise.all([setup.load.stop(), setup.parties.stop()])));
    for (const setup of setups) setup.config.remove();
    await Promise.all([postgres.stop(), redis.stop()]);
  }
}

/**
 * A machine whose cores were busy nearly all along while the most replicas ran is bounded by its cores:
 * more replicas only share them (and other processes' share of them is said). Otherwise the setups waited
 * on something else (the database, Redis, the journeys' own round trips).
 */
export function boundBy(figures: readonly SetupFigures[]): string {
  const most = figures.at(-1);
  const busy = most?.busy;
  if (!most || busy === undefined) return 'unknown: this platform has no /proc/stat to read how busy it was';
  const percent = (share: number) => `${Math.round(share * 100)}%`;
  const others =
    busy.others >= 0.05 ? `, ${percent(busy.others)} of them by processes outside the benchmark` : '';
  return busy.machine >= 0.9
    ? `the machine's cores: they were busy ${percent(busy.machine)} of the time while ${most.replicas} replicas ran${others}, so more replicas only share them`
    : `not the cores alone (busy ${percent(busy.machine)} of the time with ${most.replicas} replicas${others}): the journeys waited on PostgreSQL, Redis or their own round trips`;
}
