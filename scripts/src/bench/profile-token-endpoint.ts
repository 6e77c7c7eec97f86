// Profiles bank-op's token endpoint under the load issue #15 measures: client_credentials with a
// private_key_jwt assertion (PS256, the engine's one signing algorithm; the issue measured ES256), a PS256
// JWT access token bound to the client certificate (RFC 8705), mTLS keep-alive, 16 requests in flight.
// With `--journeys`, whole journeys instead (flows.ts, as `pnpm bench` runs them: client credentials,
// consent, PAR, sign-in and consent, code exchange, first API call; FAPI 2.0 + DPoP, 4 in flight), and
// bank-op's CPU per journey; bank-api runs too (its own process, this tree's), as it takes part.
// bank-op runs in its own process (as `pnpm dev` starts it); the directory and the load run in this one.
// Given other source trees (`--tree <dir>`, e.g. a checkout of an older commit with its node_modules), the
// trees take turns round by round, so that they are compared in the same run under the same machine load.
// With `--cpu-prof <dir>` each bank-op writes a V8 CPU profile there, and the top of each is printed: self
// time per function and per file, and the inclusive time of the sandbox's own functions.
//
//   pnpm --filter @fapi-sandbox/scripts exec tsx src/bench/profile-token-endpoint.ts [--journeys] \
//     [--tree <dir>]… [--rounds 5] [--seconds 5] [--concurrency 16|4] [--cpu-prof <dir>] [--port 32240]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { demoCustomer } from '@fapi-sandbox/bank-domain';
import { startDirectory } from '@fapi-sandbox/directory';
import { FapiFlowClient, FLOW_VARIANTS } from '@fapi-sandbox/fapi-client';
import { createLogger } from '@fapi-sandbox/fapi-core/log';
import { runFlowOnce } from './flows.js';
import { driveFor } from './load/drive.js';
import {
  busyMsOfProfile,
  configOn,
  cpuMsOf,
  latestProfile,
  startPartyProcess,
  stopProcess,
  topOfProfile,
} from './profiling.js';
import { summarize } from './stats.js';

const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

/** FAPI 2.0 with a certificate-bound token, the client authenticating with private_key_jwt (PS256). */
const VARIANT = {
  ...FLOW_VARIANTS.find((variant) => variant.id === 'fapi2-mtls')!,
  title: 'FAPI 2.0 + mTLS-bound token + private_key_jwt',
  clientAuth: 'private_key_jwt' as const,
};
/** The bench's journeys: FAPI 2.0 with DPoP-bound tokens (the load generator's journey client). */
const JOURNEY_VARIANT = {
  ...FLOW_VARIANTS.find((variant) => variant.id === 'fapi2-dpop')!,
  title:
    'journeys (client credentials, consent, PAR, sign-in and consent, token, first API call), FAPI 2.0 + DPoP',
};

interface Options {
  journeys: boolean;
  trees: string[];
  rounds: number;
  seconds: number;
  concurrency: number;
  cpuProfDir: string | undefined;
  port: number;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      journeys: { type: 'boolean', default: false },
      tree: { type: 'string', multiple: true },
      rounds: { type: 'string', default: '5' },
      seconds: { type: 'string', default: '5' },
      concurrency: { type: 'string' },
      'cpu-prof': { type: 'string' },
      port: { type: 'string', default: '32240' },
    },
  });
  return {
    journeys: values.journeys === true,
    trees: [REPO_ROOT, ...(values.tree ?? []).map((tree) => path.resolve(tree))],
    rounds: Number(values.rounds),
    seconds: Number(values.seconds),
    // The bench's figures: 16 token requests in flight, 4 journeys.
    concurrency: Number(values.concurrency ?? (values.journeys ? 4 : 16)),
    cpuProfDir: values['cpu-prof'] ? path.resolve(values['cpu-prof']) : undefined,
    port: Number(values.port),
  };
}

interface LoadFigures {
  /** Token requests (or journeys) per second. */
  perSecond: number;
  /** bank-op's CPU per token request (or journey): the figure that a loaded machine disturbs least. */
  cpuMs: number;
  completed: number;
  /** With --cpu-prof: bank-op's main-thread busy time per token request (or journey), from its profile. */
  profileMs?: number;
}

/** `work` with `concurrency` in flight for `seconds`; any refusal fails the run. */
async function load(
  work: () => Promise<unknown>,
  bankOpPid: number,
  seconds: number,
  concurrency: number,
): Promise<LoadFigures> {
  const cpuBefore = cpuMsOf(bankOpPid);
  const { completed, perSecond } = await driveFor(seconds * 1000, concurrency, async () => {
    await work();
  });
  return { perSecond, completed, cpuMs: (cpuMsOf(bankOpPid) - cpuBefore) / completed };
}

async function main(): Promise<void> {
  const opts = options();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fapi-profile-token-'));
  const directoryConfig = configOn(opts.port, path.join(scratch, 'directory'));
  const directory = await startDirectory({
    config: directoryConfig,
    log: createLogger('directory', { level: 'warn' }),
  });
  const figures = opts.trees.map(() => [] as LoadFigures[]);
  const unit = opts.journeys ? 'journeys' : 'token requests';
  try {
    for (let round = 0; round <= opts.rounds; round++) {
      for (const [index, tree] of opts.trees.entries()) {
        // A fresh bank-op data folder each time, so no tree inherits another's state; the same ports.
        const config = configOn(opts.port, path.join(scratch, `round-${round}-tree-${index}`));
        const profileDir =
          opts.cpuProfDir && round > 0 ? path.join(opts.cpuProfDir, `tree-${index}`) : undefined;
        if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
        const bankOp = await startPartyProcess(tree, 'bank-op', config, profileDir);
        let bankApi: Awaited<ReturnType<typeof startPartyProcess>> | undefined;
        let client: FapiFlowClient | undefined;
        let measured: LoadFigures | undefined;
        try {
          // bank-api is not measured: this tree's serves the consents and first API calls of every tree.
          if (opts.journeys) bankApi = await startPartyProcess(REPO_ROOT, 'bank-api', config, undefined);
          const connected = await FapiFlowClient.connect({
            config,
            variant: opts.journeys ? JOURNEY_VARIANT : VARIANT,
          });
          client = connected;
          const work = opts.journeys
            ? () => runFlowOnce(connected, demoCustomer())
            : () => connected.clientCredentialsToken('accounts');
          // A short warm-up: keys fetched, connections open, code optimised.
          await load(work, bankOp.pid!, opts.journeys ? 2 : 1, opts.concurrency);
          measured = await load(work, bankOp.pid!, opts.seconds, opts.concurrency);
        } finally {
          await client?.close();
          await stopProcess(bankOp);
          if (bankApi) await stopProcess(bankApi);
        }
        // The profile is written as bank-op exits; its last seconds are the measured load.
        const profile = profileDir ? latestProfile(profileDir) : undefined;
        if (profile) measured.profileMs = busyMsOfProfile(profile, opts.seconds) / measured.completed;
        // Round 0 only warms the machine up.
        if (round > 0) figures[index]!.push(measured);
        console.log(
          `round ${round} ${tree}: ${measured.perSecond.toFixed(1)} ${unit}/s, ` +
            `bank-op ${measured.cpuMs.toFixed(2)} CPU ms each` +
            (measured.profileMs === undefined
              ? ''
              : ` (${measured.profileMs.toFixed(2)} ms of busy samples on its main thread)`),
        );
      }
    }
  } finally {
    await directory.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  console.log(
    `\n${(opts.journeys ? JOURNEY_VARIANT : VARIANT).title}, ${opts.concurrency} in flight, ${opts.rounds} rounds of ${opts.seconds} s`,
  );
  console.log(
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model}), load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const [index, tree] of opts.trees.entries()) {
    const rate = summarize(figures[index]!.map((f) => f.perSecond));
    const cpu = summarize(figures[index]!.map((f) => f.cpuMs));
    console.log(
      `${tree}: median ${rate.p50.toFixed(1)} ${unit}/s (min ${rate.min.toFixed(1)}, max ${rate.max.toFixed(1)}); ` +
        `bank-op median ${cpu.p50.toFixed(2)} CPU ms each (min ${cpu.min.toFixed(2)}, max ${cpu.max.toFixed(2)}) ` +
        `= ${(1000 / cpu.p50).toFixed(0)} ${unit}/s on one free core`,
    );
    if (index > 0) {
      // Round by round against the first tree, which ran just before under the same machine load.
      const ratio = summarize(figures[index]!.map((f, round) => figures[0]![round]!.cpuMs / f.cpuMs));
      console.log(
        `  ${opts.trees[0]} needs ${ratio.p50.toFixed(2)}× its CPU per ${opts.journeys ? 'journey' : 'request'}, round by round (min ${ratio.min.toFixed(2)}, max ${ratio.max.toFixed(2)})`,
      );
    }
    const onMainThread = figures[index]!.flatMap((f) => (f.profileMs === undefined ? [] : [f.profileMs]));
    if (onMainThread.length > 0) {
      const main = summarize(onMainThread);
      // V8 samples by wall clock: on a loaded machine, time the thread waited for a core counts as busy.
      console.log(
        `  from its CPU profiles: median ${main.p50.toFixed(2)} ms of busy samples on bank-op's main thread each (min ${main.min.toFixed(2)}, max ${main.max.toFixed(2)}); CPU time only on a quiet machine`,
      );
    }
  }
  if (opts.cpuProfDir) {
    for (const [index, tree] of opts.trees.entries()) {
      const main = latestProfile(path.join(opts.cpuProfDir, `tree-${index}`));
      if (main) console.log(`\n${tree} (${main}):\n${topOfProfile(main, opts.seconds)}`);
    }
  }
}

await main();
