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
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDirectory } from '@fapi-sandbox/directory';
import { FapiFlowClient, FLOW_VARIANTS } from '@fapi-sandbox/fapi-client';
import { environmentFor, loadConfig, type SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createLogger } from '@fapi-sandbox/fapi-core/log';
import { PORT_VARIABLES } from '@fapi-sandbox/fapi-core/testing';
import { bundleParty } from '../dev/party-bundle.js';
import { partyCommand } from '../dev/party-command.js';
import { waitUntilHealthy } from '../dev/wait-ready.js';
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

/** The sandbox on consecutive ports from `first`, with a data folder of its own. */
function configOn(first: number, dataDir: string): SandboxConfig {
  const ports = Object.fromEntries(PORT_VARIABLES.map((name, index) => [name, String(first + index)]));
  return loadConfig({ ...process.env, ...ports, FAPI_SANDBOX_DATA_DIR: dataDir });
}

async function startBankOpProcess(
  tree: string,
  config: SandboxConfig,
  cpuProfDir: string | undefined,
): Promise<ChildProcess> {
  const bankOpDir = path.join(tree, 'apps', 'bank-op');
  // The tree's own sources, bundled as `pnpm dev` bundles them (into that tree's node_modules/.cache).
  const { command, args } = partyCommand((await bundleParty(tree, 'bank-op', bankOpDir)).file);
  const profiling = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  const child = spawn(command, [...profiling, ...args], {
    cwd: bankOpDir,
    env: { ...process.env, ...environmentFor(config), FORCE_COLOR: '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitUntilHealthy(`${config.bankOp.issuer}/health`, config, {
    timeoutMs: 60_000,
    isAlive: () => child.exitCode === null,
  });
  return child;
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** CPU time (user + system) a process has used, in ms, from /proc/<pid>/stat (Linux; clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
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

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/**
 * Self time per function and per source file of a V8 CPU profile, as shares of the busy time (idle left
 * out) in its last `windowSeconds` (the measured load; start-up and registration come before).
 */
export function topOfProfile(file: string, windowSeconds: number, rows = 25): string {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
    endTime: number;
  };
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const hits = new Map<number, number>();
  let at = profile.endTime - profile.timeDeltas.reduce((sum, delta) => sum + delta, 0);
  const from = profile.endTime - windowSeconds * 1_000_000;
  let total = 0;
  profile.samples.forEach((sample, index) => {
    at += profile.timeDeltas[index]!;
    if (at < from || idle.has(sample)) return;
    hits.set(sample, (hits.get(sample) ?? 0) + 1);
    total++;
  });
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  const shorten = (url: string) =>
    url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, '') ||
    '(native)';
  // Inclusive time of the sandbox's own functions: a sample counts once for each on its stack.
  const parentOf = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const ownInclusive = new Map<string, number>();
  for (const [id, count] of hits) {
    const seen = new Set<string>();
    for (let node = byId.get(id); node; node = parentOf.get(node.id)) {
      const { functionName, url, lineNumber } = node.callFrame;
      if (!/\/(apps|packages)\//.test(url) || url.includes('node_modules')) continue;
      seen.add(
        `${functionName || '(anonymous)'} ${url.replace(/^.*?\/(apps|packages)\//, '$1/')}:${lineNumber + 1}`,
      );
    }
    for (const key of seen) ownInclusive.set(key, (ownInclusive.get(key) ?? 0) + count);
  }
  for (const node of profile.nodes) {
    const count = hits.get(node.id) ?? 0;
    if (!count) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = shorten(url).replace(/^.*?\/(apps|packages)\//, '$1/');
    const fn = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + count);
    byFile.set(where, (byFile.get(where) ?? 0) + count);
  }
  const table = (title: string, entries: Map<string, number>) =>
    [
      title,
      ...[...entries]
        .sort((a, b) => b[1] - a[1])
        .slice(0, rows)
        .map(([name, count]) => `  ${((100 * count) / total).toFixed(1).padStart(5)}%  ${name}`),
    ].join('\n');
  return [
    table('self time by function', byFunction),
    table('self time by file', byFile),
    table("inclusive time of the sandbox's own functions", ownInclusive),
  ].join('\n');
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
        const bankOp = await startBankOpProcess(tree, config, profileDir);
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
      const dir = path.join(opts.cpuProfDir, `tree-${index}`);
      // The main thread's profile is the largest (should another thread write one too); the last round's.
      const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
      const main = files
        .map((f) => path.join(dir, f))
        .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)
        .slice(0, 2)
        .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
      if (main) console.log(`\n${tree} (${main}):\n${topOfProfile(main, opts.seconds)}`);
    }
  }
}

// Run, unless imported for topOfProfile.
if (path.resolve(process.argv[1] ?? '') === import.meta.filename) await main();
