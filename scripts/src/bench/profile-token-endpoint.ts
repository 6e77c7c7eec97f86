// Profiles bank-op's token endpoint under the load issue #15 measures: client_credentials with a
// private_key_jwt assertion (PS256, the engine's one signing algorithm; the issue measured ES256), a PS256
// JWT access token bound to the client certificate (RFC 8705), mTLS keep-alive, 16 requests in flight.
// bank-op runs in its own process (as `pnpm dev` starts it); the directory and the load run in this one.
// Given other source trees (`--tree <dir>`, e.g. a checkout of an older commit with its node_modules), the
// trees take turns round by round, so that they are compared in the same run under the same machine load.
// With `--cpu-prof <dir>` each bank-op writes a V8 CPU profile there, and the top of each is printed: self
// time per function and per file, and the inclusive time of the sandbox's own functions.
//
//   pnpm --filter @fapi-sandbox/scripts exec tsx src/bench/profile-token-endpoint.ts \
//     [--tree <dir>]… [--rounds 5] [--seconds 5] [--concurrency 16] [--cpu-prof <dir>] [--port 32240]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDirectory } from '@fapi-sandbox/directory';
import { FapiFlowClient, FLOW_VARIANTS } from '@fapi-sandbox/fapi-client';
import { createLogger } from '@fapi-sandbox/fapi-core/log';
import {
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

interface Options {
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
      tree: { type: 'string', multiple: true },
      rounds: { type: 'string', default: '5' },
      seconds: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '16' },
      'cpu-prof': { type: 'string' },
      port: { type: 'string', default: '32240' },
    },
  });
  return {
    trees: [REPO_ROOT, ...(values.tree ?? []).map((tree) => path.resolve(tree))],
    rounds: Number(values.rounds),
    seconds: Number(values.seconds),
    concurrency: Number(values.concurrency),
    cpuProfDir: values['cpu-prof'] ? path.resolve(values['cpu-prof']) : undefined,
    port: Number(values.port),
  };
}

interface LoadFigures {
  requestsPerSecond: number;
  /** bank-op's CPU per token request: the figure that a loaded machine disturbs least. */
  cpuMsPerRequest: number;
}

/** Token requests with `concurrency` in flight for `seconds`; any refusal fails the run. */
async function tokenLoad(
  client: FapiFlowClient,
  bankOpPid: number,
  seconds: number,
  concurrency: number,
): Promise<LoadFigures> {
  let completed = 0;
  const cpuBefore = cpuMsOf(bankOpPid);
  const began = performance.now();
  const until = began + seconds * 1000;
  const worker = async () => {
    while (performance.now() < until) {
      await client.clientCredentialsToken('accounts');
      completed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return {
    requestsPerSecond: (completed * 1000) / (performance.now() - began),
    cpuMsPerRequest: (cpuMsOf(bankOpPid) - cpuBefore) / completed,
  };
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
  try {
    for (let round = 0; round <= opts.rounds; round++) {
      for (const [index, tree] of opts.trees.entries()) {
        // A fresh bank-op data folder each time, so no tree inherits another's state; the same ports.
        const config = configOn(opts.port, path.join(scratch, `round-${round}-tree-${index}`));
        const profileDir =
          opts.cpuProfDir && round > 0 ? path.join(opts.cpuProfDir, `tree-${index}`) : undefined;
        if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
        const bankOp = await startPartyProcess(tree, 'bank-op', config, profileDir);
        const client = await FapiFlowClient.connect({ config, variant: VARIANT });
        try {
          // A short warm-up: keys fetched, connections open, code optimised.
          await tokenLoad(client, bankOp.pid!, 1, opts.concurrency);
          const measured = await tokenLoad(client, bankOp.pid!, opts.seconds, opts.concurrency);
          // Round 0 only warms the machine up.
          if (round > 0) figures[index]!.push(measured);
          console.log(
            `round ${round} ${tree}: ${measured.requestsPerSecond.toFixed(0)} token requests/s, ` +
              `bank-op ${measured.cpuMsPerRequest.toFixed(2)} CPU ms each`,
          );
        } finally {
          await client.close();
          await stopProcess(bankOp);
        }
      }
    }
  } finally {
    await directory.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  console.log(
    `\n${VARIANT.title}, ${opts.concurrency} in flight, ${opts.rounds} rounds of ${opts.seconds} s`,
  );
  console.log(
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model}), load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const [index, tree] of opts.trees.entries()) {
    const rps = summarize(figures[index]!.map((f) => f.requestsPerSecond));
    const cpu = summarize(figures[index]!.map((f) => f.cpuMsPerRequest));
    console.log(
      `${tree}: median ${rps.p50.toFixed(0)} rps (min ${rps.min.toFixed(0)}, max ${rps.max.toFixed(0)}); ` +
        `bank-op median ${cpu.p50.toFixed(2)} CPU ms per request (min ${cpu.min.toFixed(2)}, max ${cpu.max.toFixed(2)}) ` +
        `= ${(1000 / cpu.p50).toFixed(0)} rps on one free core`,
    );
  }
  if (opts.cpuProfDir) {
    for (const [index, tree] of opts.trees.entries()) {
      const main = latestProfile(path.join(opts.cpuProfDir, `tree-${index}`));
      if (main) console.log(`\n${tree} (${main}):\n${topOfProfile(main, opts.seconds)}`);
    }
  }
}

await main();
