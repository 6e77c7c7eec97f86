// The whole benchmark: `pnpm dev`'s launcher timed and weighed, then every server in its own process on
// the servers' core, the load generator on the other, and each figure measured against its peer in the
// same run, in interleaved rounds (peer, subject, peer, subject, …), medians compared. It stops by itself
// and leaves nothing running.
import type { BenchProcess } from './child-process.js';
import { type DevLauncherFigures, measureDevLauncher } from './dev-launcher.js';
import { request, whenReady } from './ipc.js';
import type { DriveResult } from './load/drive.js';
import type { Target } from './load/load-generator.js';
import { type MachineFacts, watchMachine } from './machine.js';
import { startParties } from './parties.js';
import { JOURNEY_WORK } from './peers/journey-floor.js';
import { pinningPlan } from './pinning.js';
import { benchConfig, benchPort } from './ports.js';
import {
  measureReplicaScaling,
  type ReplicaScaling,
  type ReplicaScalingSettings,
} from './replica-scaling.js';
import { startScript } from './script-process.js';
import { summarize } from './stats.js';

export interface BenchSettings {
  mode: 'full' | 'quick';
  /** Measured rounds per side of each comparison (after one warm-up round each). */
  rounds: number;
  roundMs: number;
  warmupMs: number;
  /** Requests in flight against a server. */
  inFlight: number;
  journeyRoundMs: number;
  journeysInFlight: number;
  /** When the running sandbox's memory is read a first time, just after start (whole seconds after ready). */
  devAfterStartMs: number;
  /**
   * How long it idles before its idle memory is read (whole seconds): long enough for V8's memory reducer
   * to give back each process's start-up garbage (the parties under `pnpm dev` settle 45 to 75 s after ready).
   */
  devIdleMs: number;
  /** Journeys per second with replicas on PostgreSQL + Redis against the embedded default (#16). */
  replicas: ReplicaScalingSettings;
}

export function settingsFor(quick: boolean): BenchSettings {
  return quick
    ? {
        mode: 'quick',
        rounds: 2,
        roundMs: 400,
        warmupMs: 200,
        inFlight: 16,
        journeyRoundMs: 1000,
        journeysInFlight: 4,
        // A smoke run: both readings at once.
        devAfterStartMs: 1000,
        devIdleMs: 1000,
        replicas: { counts: [1, 2], rounds: 1, roundMs: 1500, warmupMs: 500, journeysInFlight: 8 },
      }
    : {
        mode: 'full',
        rounds: 5,
        roundMs: 3000,
        warmupMs: 1500,
        inFlight: 16,
        journeyRoundMs: 6000,
        journeysInFlight: 4,
        devAfterStartMs: 5000,
        devIdleMs: 90_000,
        replicas: { counts: [1, 2, 4], rounds: 3, roundMs: 8000, warmupMs: 3000, journeysInFlight: 8 },
      };
}

/** The targets (#15): the subject's share of its peer's figure, and the launcher's. */
export const TARGETS = {
  tokenEndpointVsBareOidcProvider: 0.85,
  bankApiDpopVsFloor: 0.8,
  bankApiMtlsVsFloor: 0.6,
  journeysVsFloor: 0.25,
  devReadySeconds: 4,
  idleRssMiB: 700,
} as const;

export type RatioKey =
  | 'tokenEndpointVsBareOidcProvider'
  | 'bankApiDpopVsFloor'
  | 'bankApiMtlsVsFloor'
  | 'journeysVsFloor';

export interface Side {
  name: string;
  /** Requests (or journeys) per second, one per measured round. */
  rounds: number[];
  median: number;
}

export interface Comparison {
  figure: string;
  unit: 'req/s' | 'journeys/s';
  subject: Side;
  peer: Side;
  ratio: number;
  target: number;
}

export interface BenchReport {
  generatedAt: string;
  settings: BenchSettings;
  ratios: Record<RatioKey, number>;
  devReadySeconds: number;
  idleRssMiB: number;
  comparisons: Record<RatioKey, Comparison>;
  dev: DevLauncherFigures;
  replicaScaling: ReplicaScaling;
  targets: typeof TARGETS;
  machine: MachineFacts;
}

const side = (name: string, rounds: number[]): Side => ({ name, rounds, median: summarize(rounds).p50 });

export async function runBenchmark(
  settings: BenchSettings,
  progress: (line: string) => void,
): Promise<BenchReport> {
  const pinning = pinningPlan();
  const machine = watchMachine(pinning.description);
  progress(`Pinning: ${pinning.description}`);

  const devConfig = await benchConfig();
  let dev: DevLauncherFigures;
  try {
    progress(
      `pnpm dev on its own ports: a first start, then the warm start, timed until every party is healthy, then its memory every second for ${settings.devIdleMs / 1000} s of idling`,
    );
    dev = await measureDevLauncher(devConfig, {
      afterStartMs: settings.devAfterStartMs,
      idleMs: settings.devIdleMs,
    });
  } finally {
    devConfig.remove();
  }

  const config = await benchConfig();
  const running: BenchProcess[] = [];
  try {
    progress('Starting directory, bank-op and bank-api as pnpm dev does, one process each');
    running.push(...(await startParties(config, pinning.serverCpu)).processes);
    const load = startScript('load generator', 'load/load-generator.ts', [], config, pinning.loadCpu);
    running.push(load);
    await whenReady(load);
    progress('Registering the clients at bank-op (SSA from the directory, DCR)');
    const { clientId } = await request<{ clientId: string }>(load, 'prepare');

    const peer = (which: string, options: object) => {
      const process = startScript(
        which,
        'peers/main.ts',
        [which, JSON.stringify(options)],
        config,
        pinning.serverCpu,
      );
      running.push(process);
      return process;
    };
    const bare = peer('bare-oidc-provider', { port: await benchPort(), clientId });
    const floor = peer('floor-server', { port: await benchPort() });
    const journeyFloor = peer('journey-floor', {});
    const [{ origin: bareOrigin }, { origin: floorOrigin }] = await Promise.all([
      whenReady<{ origin: string }>(bare),
      whenReady<{ origin: string }>(floor),
      whenReady(journeyFloor),
    ]);
    progress('Customer tokens for each binding (one journey each); every target answers once');
    await request(load, 'aim', { bareOrigin, floorOrigin });

    const drive = async (target: Target, durationMs: number) =>
      (await request<DriveResult>(load, 'load', { target, durationMs, inFlight: settings.inFlight }))
        .perSecond;
    const interleaved = async (
      peerRun: (ms: number) => Promise<number>,
      subjectRun: (ms: number) => Promise<number>,
      roundMs: number,
    ) => {
      await peerRun(settings.warmupMs);
      await subjectRun(settings.warmupMs);
      const peerRounds: number[] = [];
      const subjectRounds: number[] = [];
      for (let round = 0; round < settings.rounds; round++) {
        peerRounds.push(await peerRun(roundMs));
        subjectRounds.push(await subjectRun(roundMs));
      }
      return { peerRounds, subjectRounds };
    };
    const compare = async (
      key: RatioKey,
      figure: string,
      names: [string, string],
      runs: [(ms: number) => Promise<number>, (ms: number) => Promise<number>],
      unit: Comparison['unit'] = 'req/s',
      roundMs = settings.roundMs,
    ): Promise<[RatioKey, Comparison]> => {
      progress(`${figure}: ${names[0]} vs ${names[1]}, ${settings.rounds} rounds each`);
      const { peerRounds, subjectRounds } = await interleaved(runs[1], runs[0], roundMs);
      const subject = side(names[0], subjectRounds);
      const peerSide = side(names[1], peerRounds);
      return [
        key,
        {
          figure,
          unit,
          subject,
          peer: peerSide,
          ratio: subject.median / peerSide.median,
          target: TARGETS[key],
        },
      ];
    };

    const comparisons = Object.fromEntries([
      await compare(
        'tokenEndpointVsBareOidcProvider',
        `token endpoint: client_credentials, ES256 private_key_jwt, PS256 JWT bound to the certificate, mTLS keep-alive, ${settings.inFlight} in flight`,
        ['bank-op', 'bare oidc-provider'],
        [(ms) => drive('bank-op-token', ms), (ms) => drive('bare-oidc-provider-token', ms)],
      ),
      await compare(
        'bankApiDpopVsFloor',
        `GET /open-banking/v3.1/aisp/accounts, DPoP-bound token, ${settings.inFlight} in flight`,
        ['bank-api', 'floor server'],
        [(ms) => drive('bank-api-dpop', ms), (ms) => drive('floor-dpop', ms)],
      ),
      await compare(
        'bankApiMtlsVsFloor',
        `GET /open-banking/v3.1/aisp/accounts, certificate-bound token, mTLS keep-alive, ${settings.inFlight} in flight`,
        ['bank-api', 'floor server'],
        [(ms) => drive('bank-api-mtls', ms), (ms) => drive('floor-mtls', ms)],
      ),
      await compare(
        'journeysVsFloor',
        `journeys (consent, PAR, sign-in and consent, token, first API call), ${settings.journeysInFlight} in flight, servers on one core; floor: ${describeWork()}`,
        ['directory + bank-op + bank-api', 'floor'],
        [
          async (ms) =>
            (
              await request<DriveResult>(load, 'journeys', {
                durationMs: ms,
                inFlight: settings.journeysInFlight,
              })
            ).perSecond,
          async (ms) => {
            const run = await request<{ journeys: number; elapsedMs: number }>(journeyFloor, 'run', {
              durationMs: ms,
            });
            return (run.journeys * 1000) / run.elapsedMs;
          },
        ],
        'journeys/s',
        settings.journeyRoundMs,
      ),
    ]) as Record<RatioKey, Comparison>;

    const ratios = Object.fromEntries(
      Object.entries(comparisons).map(([key, comparison]) => [key, comparison.ratio]),
    ) as Record<RatioKey, number>;
    await Promise.all(running.splice(0).map((p) => p.stop()));
    const replicaScaling = await measureReplicaScaling(settings.replicas, progress);
    return {
      generatedAt: new Date().toISOString(),
      settings,
      ratios,
      devReadySeconds: dev.warmReadySeconds,
      idleRssMiB: dev.idleRssMiB,
      comparisons,
      dev,
      replicaScaling,
      targets: TARGETS,
      machine: machine(),
    };
  } finally {
    await Promise.all(running.map((p) => p.stop()));
    config.remove();
  }
}

/** "3 PS256 signatures, 5 PS256 and 5 ES256 verifications, 1 TLS handshake" per journey. */
function describeWork(): string {
  const w = JOURNEY_WORK;
  return `${w.ps256Signatures} PS256 signatures, ${w.ps256Verifications} PS256 and ${w.es256Verifications} ES256 verifications, ${w.tlsHandshakes} TLS handshake per journey`;
}
