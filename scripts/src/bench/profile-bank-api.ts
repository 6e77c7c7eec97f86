// Profiles bank-api's API path under the load issue #15 measures: GET /open-banking/v3.1/aisp/accounts
// with a customer's certificate-bound token over mTLS keep-alive (RFC 8705 §3), and with a DPoP-bound
// token and a fresh proof per call (RFC 9449 §7.1), 16 requests in flight, the bench's own requests
// (load/requests.ts). bank-api runs in its own process from its bundle (as `pnpm dev` starts it), a fresh
// one per binding and round; bank-op too, once; the directory and the load run in this process.
// Given other source trees (`--tree <dir>`, e.g. a worktree of an older commit with its node_modules),
// their bank-api takes turns with this tree's, round by round, so both are measured under the same load.
// With `--cpu-prof <dir>` each bank-api writes a V8 CPU profile there, and the top of each is printed.
//
//   pnpm --filter @fapi-sandbox/scripts exec tsx src/bench/profile-bank-api.ts \
//     [--tree <dir>]… [--binding mtls|dpop]… [--rounds 5] [--seconds 5] [--concurrency 16] \
//     [--cpu-prof <dir>] [--port 35200]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { demoCustomer } from '@fapi-sandbox/bank-domain';
import { startDirectory } from '@fapi-sandbox/directory';
import { FapiFlowClient, FLOW_VARIANTS, type FlowVariant } from '@fapi-sandbox/fapi-client';
import { generateDpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import { createLogger } from '@fapi-sandbox/fapi-core/log';
import { createSandboxAgent, transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import { runFlowOnce } from './flows.js';
import { driveFor } from './load/drive.js';
import { dpopApiRequests, mtlsApiRequests, type Send } from './load/requests.js';
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
const BINDINGS = ['mtls', 'dpop'] as const;
type Binding = (typeof BINDINGS)[number];

interface Options {
  trees: string[];
  bindings: Binding[];
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
      binding: { type: 'string', multiple: true },
      rounds: { type: 'string', default: '5' },
      seconds: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '16' },
      'cpu-prof': { type: 'string' },
      port: { type: 'string', default: '35200' },
    },
  });
  const bindings = (values.binding ?? [...BINDINGS]) as Binding[];
  const unknown = bindings.find((binding) => !BINDINGS.includes(binding));
  if (unknown) throw new Error(`--binding ${unknown}: expected one of ${BINDINGS.join(', ')}`);
  return {
    trees: [REPO_ROOT, ...(values.tree ?? []).map((tree) => path.resolve(tree))],
    bindings,
    rounds: Number(values.rounds),
    seconds: Number(values.seconds),
    concurrency: Number(values.concurrency),
    cpuProfDir: values['cpu-prof'] ? path.resolve(values['cpu-prof']) : undefined,
    port: Number(values.port),
  };
}

interface LoadFigures {
  requestsPerSecond: number;
  /** bank-api's CPU per API call: the figure that a loaded machine disturbs least. */
  cpuMsPerRequest: number;
}

async function measure(send: Send, pid: number, seconds: number, concurrency: number): Promise<LoadFigures> {
  const cpuBefore = cpuMsOf(pid);
  const { completed, elapsedMs } = await driveFor(seconds * 1000, concurrency, send);
  return {
    requestsPerSecond: (completed * 1000) / elapsedMs,
    cpuMsPerRequest: (cpuMsOf(pid) - cpuBefore) / completed,
  };
}

async function main(): Promise<void> {
  const opts = options();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'fapi-profile-bank-api-'));
  // One data folder: bank-op and every bank-api share the bank's store (consents, accounts), as in `pnpm dev`.
  const config = configOn(opts.port, scratch);
  const directory = await startDirectory({ config, log: createLogger('directory', { level: 'warn' }) });
  const bankOp = await startPartyProcess(REPO_ROOT, 'bank-op', config, undefined);
  const plain = createSandboxAgent({}, config);
  const transport = transportAgentFor(config.participants.demo, config);
  const variant = (id: FlowVariant['id']) => FLOW_VARIANTS.find((v) => v.id === id)!;
  const dpopKey = await generateDpopKey('ES256');
  const clients: Record<Binding, FapiFlowClient | undefined> = { mtls: undefined, dpop: undefined };
  const accounts = `${config.bankApi.baseUrl}/aisp/accounts`;
  /** A customer's token for the binding (one journey through the running bank-api), and its requests. */
  const aim = async (binding: Binding): Promise<Send> => {
    clients[binding] ??=
      binding === 'dpop'
        ? await FapiFlowClient.connect({ config, variant: variant('fapi2-dpop'), dpopKey })
        : await FapiFlowClient.connect({ config, variant: variant('fapi2-mtls') });
    const client = clients[binding];
    const accessToken = (await runFlowOnce(client, demoCustomer())).token.value;
    return binding === 'dpop'
      ? dpopApiRequests({ url: accounts, accessToken, dpopKey, dispatcher: plain })
      : mtlsApiRequests({ url: accounts, accessToken, transport });
  };

  const figures = new Map<string, LoadFigures[]>();
  const key = (binding: Binding, index: number) => `${binding} ${index}`;
  try {
    for (let round = 0; round <= opts.rounds; round++) {
      for (const binding of opts.bindings) {
        for (const [index, tree] of opts.trees.entries()) {
          const profileDir =
            opts.cpuProfDir && round > 0 ? path.join(opts.cpuProfDir, binding, `tree-${index}`) : undefined;
          if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
          const bankApi = await startPartyProcess(tree, 'bank-api', config, profileDir);
          try {
            const send = await aim(binding);
            // A short warm-up: bank-op's keys fetched, connections open, code optimised.
            await measure(send, bankApi.pid!, 1, opts.concurrency);
            const measured = await measure(send, bankApi.pid!, opts.seconds, opts.concurrency);
            // Round 0 only warms the machine up.
            if (round > 0)
              figures.set(key(binding, index), [...(figures.get(key(binding, index)) ?? []), measured]);
            console.log(
              `round ${round} ${binding} ${tree}: ${measured.requestsPerSecond.toFixed(0)} calls/s, ` +
                `bank-api ${measured.cpuMsPerRequest.toFixed(3)} CPU ms each`,
            );
          } finally {
            await stopProcess(bankApi);
          }
        }
      }
    }
  } finally {
    await Promise.all(Object.values(clients).map((client) => client?.close()));
    await Promise.all([plain.close(), transport.close()]);
    await stopProcess(bankOp);
    await directory.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  console.log(
    `\nGET /aisp/accounts, ${opts.concurrency} in flight, ${opts.rounds} rounds of ${opts.seconds} s per binding`,
  );
  console.log(
    `${os.cpus().length} CPUs (${os.cpus()[0]?.model}), load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const binding of opts.bindings) {
    for (const [index, tree] of opts.trees.entries()) {
      const runs = figures.get(key(binding, index)) ?? [];
      const rps = summarize(runs.map((f) => f.requestsPerSecond));
      const cpu = summarize(runs.map((f) => f.cpuMsPerRequest));
      console.log(
        `${binding} ${tree}: median ${rps.p50.toFixed(0)} calls/s (min ${rps.min.toFixed(0)}, max ${rps.max.toFixed(0)}); ` +
          `bank-api median ${cpu.p50.toFixed(3)} CPU ms per call (min ${cpu.min.toFixed(3)}, max ${cpu.max.toFixed(3)}) ` +
          `= ${(1000 / cpu.p50).toFixed(0)} calls/s on one free core`,
      );
    }
  }
  if (opts.cpuProfDir) {
    for (const binding of opts.bindings) {
      for (const [index, tree] of opts.trees.entries()) {
        const main = latestProfile(path.join(opts.cpuProfDir, binding, `tree-${index}`));
        if (main) console.log(`\n${binding} ${tree} (${main}):\n${topOfProfile(main, opts.seconds)}`);
      }
    }
  }
}

await main();
