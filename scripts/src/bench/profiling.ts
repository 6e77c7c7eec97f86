// What the profiling scripts share (profile-token-endpoint.ts, profile-bank-api.ts): the sandbox on
// consecutive ports, a party in its own process from a source tree's bundle (optionally with V8's
// --cpu-prof), its CPU time from /proc, and the top of a CPU profile (self time per function and file,
// busy time per concern).
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { environmentFor, loadConfig, type SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { PORT_VARIABLES } from '@fapi-sandbox/fapi-core/testing';
import { bundleParty } from '../dev/party-bundle.js';
import { partyCommand } from '../dev/party-command.js';
import { waitUntilHealthy } from '../dev/wait-ready.js';
import { samplesByConcern } from './profile-concerns.js';

/** The sandbox on consecutive ports from `first`, with a data folder of its own. */
export function configOn(first: number, dataDir: string): SandboxConfig {
  const ports = Object.fromEntries(PORT_VARIABLES.map((name, index) => [name, String(first + index)]));
  return loadConfig({ ...process.env, ...ports, FAPI_SANDBOX_DATA_DIR: dataDir });
}

/**
 * A party (`bank-op`, `bank-api`) in its own process from `tree`'s sources, bundled as `pnpm dev` bundles
 * them (into that tree's node_modules/.cache), writing a V8 CPU profile into `cpuProfDir` when given.
 */
export async function startPartyProcess(
  tree: string,
  party: 'bank-op' | 'bank-api',
  config: SandboxConfig,
  cpuProfDir: string | undefined,
): Promise<ChildProcess> {
  const dir = path.join(tree, 'apps', party);
  const { command, args } = partyCommand((await bundleParty(tree, party, dir)).file);
  const profiling = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  const child = spawn(command, [...profiling, ...args], {
    cwd: dir,
    env: { ...process.env, ...environmentFor(config), FORCE_COLOR: '0' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const health =
    party === 'bank-op' ? `${config.bankOp.issuer}/health` : `${config.bankApi.web.origin}/health`;
  await waitUntilHealthy(health, config, { timeoutMs: 60_000, isAlive: () => child.exitCode === null });
  return child;
}

export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** CPU time (user + system) a process has used, in ms, from /proc/<pid>/stat (Linux; clock ticks of 10 ms). */
export function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

/**
 * The main thread's busy time (idle left out) in a V8 CPU profile's last `windowSeconds`, in ms: divided by
 * the work done in that window, the CPU a request costs on the event loop (crypto on the thread pool aside).
 */
export function busyMsOfProfile(file: string, windowSeconds: number): number {
  const profile = readProfile(file);
  const idle = new Set(profile.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  let at = profile.endTime - profile.timeDeltas.reduce((sum, delta) => sum + delta, 0);
  const from = profile.endTime - windowSeconds * 1_000_000;
  let busyMicros = 0;
  profile.samples.forEach((sample, index) => {
    const delta = profile.timeDeltas[index]!;
    at += delta;
    if (at >= from && !idle.has(sample)) busyMicros += delta;
  });
  return busyMicros / 1000;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  endTime: number;
}

function readProfile(file: string): Profile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
}

/**
 * Self time per function and per source file of a V8 CPU profile, as shares of the busy time (idle left
 * out) in its last `windowSeconds` (the measured load; start-up and registration come before).
 */
export function topOfProfile(file: string, windowSeconds: number, rows = 25): string {
  const profile = readProfile(file);
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
  // A party's bundle (dev/party-bundle.ts) holds its own sources and the workspace packages: named "bundle:<party>".
  const shorten = (url: string) =>
    url
      .replace(/^file:\/\//, '')
      .replace(/^.*\/node_modules\/\.cache\/fapi-sandbox\/bundles\/([^/]+)\/.*$/, 'bundle:$1')
      .replace(/^.*\/node_modules\/\.pnpm\/[^/]+\/node_modules\//, '') || '(native)';
  const isOwn = (url: string) =>
    url.includes('/fapi-sandbox/bundles/') ||
    (/\/(apps|packages)\//.test(url) && !url.includes('node_modules'));
  // Inclusive time of the sandbox's own functions: a sample counts once for each on its stack.
  const parentOf = new Map<number, ProfileNode>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const ownInclusive = new Map<string, number>();
  for (const [id, count] of hits) {
    const seen = new Set<string>();
    for (let node = byId.get(id); node; node = parentOf.get(node.id)) {
      const { functionName, url, lineNumber } = node.callFrame;
      if (!isOwn(url)) continue;
      seen.add(
        `${functionName || '(anonymous)'} ${shorten(url).replace(/^.*?\/(apps|packages)\//, '$1/')}:${lineNumber + 1}`,
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
    table('busy time by concern (profile-concerns.ts)', samplesByConcern(profile.nodes, hits)),
  ].join('\n');
}

/** The main thread's profile of the last run written into `dir` (the largest of the two newest files). */
export function latestProfile(dir: string): string | undefined {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)
    .slice(0, 2)
    .sort((a, b) => fs.statSync(b).size - fs.statSync(a).size)[0];
}
