// `pnpm dev` as a learner runs it: the root script (pnpm, then scripts/src/dev/start.mjs, which starts every
// party) on the bench's own ports and data folder. Started twice, the second start is the warm figure
// (data seeded, caches full): from spawning `pnpm dev` until every party's /health answers. Then the
// resident memory of its whole process tree, launchers included, read every second while it idles: a few
// seconds after ready each process still holds its start-up garbage, which V8's memory reducer gives back
// only once a process has been quiet for a while (tens of seconds), so the idle figure is read after
// `idleMs` and the early one is kept beside it.
import fs from 'node:fs';
import { environmentFor, type SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { startableParties } from '../dev/parties.js';
import { waitUntilHealthy } from '../dev/wait-ready.js';
import { failureOf, startProcess } from './child-process.js';
import { commandLineOf, descendantsOf, residentKiB } from './process-tree.js';

export interface ProcessRss {
  /** What the process is: pnpm, the launcher, esbuild, a party (by its bundle), else its program. */
  name: string;
  mib: number;
}

export interface DevLauncherFigures {
  coldReadySeconds: number;
  warmReadySeconds: number;
  /** The whole tree's resident memory `idleSeconds` after ready. */
  idleRssMiB: number;
  idleSeconds: number;
  /** The same `afterStartSeconds` after ready, before the processes have given back their start-up garbage. */
  rssAfterStartMiB: number;
  afterStartSeconds: number;
  /** The tree's total every second from ready to the idle figure. */
  rssEverySecondMiB: number[];
  /** How many processes the running sandbox is (pnpm, the launcher, the parties, their helpers). */
  processes: number;
  /** Each of them at the idle figure, largest first. */
  processesRss: ProcessRss[];
}

export interface IdleSettings {
  /** When the early figure is read, in whole seconds after ready. */
  afterStartMs: number;
  /** When the idle figure is read, in whole seconds after ready (at least `afterStartMs`). */
  idleMs: number;
}

/** A process of the running sandbox named from its command line. */
export function processName(commandLine: readonly string[]): string {
  const bundle = commandLine.map((arg) => /\/bundles\/([^/]+)\/main\.mjs$/.exec(arg)?.[1]).find(Boolean);
  if (bundle) return bundle;
  if (commandLine.some((arg) => arg.endsWith('/dev/start.mjs'))) return 'launcher (start.mjs)';
  if (commandLine.some((arg) => /^--service=/.test(arg))) return 'esbuild';
  const program = commandLine.find((arg) => !/(^|\/)(node|sh)$/.test(arg)) ?? commandLine[0] ?? '?';
  return /(^|\/)pnpm(\.c?js)?$/.test(program) ? 'pnpm' : program.slice(program.lastIndexOf('/') + 1);
}

interface TreeReading {
  totalKiB: number;
  processes: ProcessRss[];
}

function readTree(root: number): TreeReading {
  const processes: ProcessRss[] = [];
  let totalKiB = 0;
  for (const pid of [root, ...descendantsOf(root)]) {
    const kib = residentKiB(pid);
    const commandLine = commandLineOf(pid);
    if (kib === undefined || commandLine === undefined) continue;
    totalKiB += kib;
    processes.push({ name: processName(commandLine), mib: Math.round(kib / 102.4) / 10 });
  }
  return { totalKiB, processes: processes.sort((a, b) => b.mib - a.mib) };
}

async function startOnce(config: SandboxConfig, idle: IdleSettings | undefined) {
  const began = performance.now();
  const dev = startProcess({
    name: 'pnpm dev',
    command: 'pnpm',
    args: ['--silent', 'dev'],
    cwd: config.repoRoot,
    env: { ...process.env, ...environmentFor(config) },
    cpu: undefined,
  });
  try {
    await Promise.all(
      startableParties(config).map(({ healthUrl }) =>
        waitUntilHealthy(healthUrl, config, { timeoutMs: 90_000, isAlive: dev.isAlive }),
      ),
    ).catch((err: Error) => {
      throw failureOf(dev, `was not ready: ${err.message}`);
    });
    const ready = performance.now();
    const readySeconds = (ready - began) / 1000;
    if (idle === undefined) return { readySeconds };
    const everySecond: TreeReading[] = [];
    for (let second = 1; second <= idle.idleMs / 1000; second++) {
      // On the second after ready, however long each reading took.
      await new Promise((resolve) => setTimeout(resolve, ready + second * 1000 - performance.now()));
      if (!dev.isAlive()) throw failureOf(dev, `ended while idling, ${second} s after ready`);
      everySecond.push(readTree(dev.child.pid!));
    }
    return { readySeconds, everySecond };
  } finally {
    const tree = dev.child.pid === undefined ? [] : descendantsOf(dev.child.pid);
    await dev.stop();
    // The parties run in process groups of their own; the launcher stops them, and whatever it left is
    // stopped here, by process id, once it is sure to be one of this run's (its environment says so).
    for (const pid of tree.filter((each) => isOurs(each, config))) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // It ended meanwhile.
      }
    }
  }
}

function isOurs(pid: number, config: SandboxConfig): boolean {
  try {
    return fs
      .readFileSync(`/proc/${pid}/environ`, 'utf8')
      .includes(`FAPI_SANDBOX_DATA_DIR=${config.dataDir}\0`);
  } catch {
    return false;
  }
}

export async function measureDevLauncher(
  config: SandboxConfig,
  idle: IdleSettings,
): Promise<DevLauncherFigures> {
  const whole = (ms: number) => Number.isInteger(ms / 1000) && ms >= 1000;
  if (!whole(idle.afterStartMs) || !whole(idle.idleMs) || idle.idleMs < idle.afterStartMs) {
    throw new RangeError(`idle readings in whole seconds, the early one first: ${JSON.stringify(idle)}`);
  }
  const cold = await startOnce(config, undefined);
  const warm = await startOnce(config, idle);
  const everySecond = warm.everySecond!;
  const afterStart = everySecond[idle.afterStartMs / 1000 - 1]!;
  const idled = everySecond.at(-1)!;
  const mib = (kib: number) => kib / 1024;
  return {
    coldReadySeconds: cold.readySeconds,
    warmReadySeconds: warm.readySeconds,
    idleRssMiB: mib(idled.totalKiB),
    idleSeconds: idle.idleMs / 1000,
    rssAfterStartMiB: mib(afterStart.totalKiB),
    afterStartSeconds: idle.afterStartMs / 1000,
    rssEverySecondMiB: everySecond.map((reading) => Math.round(mib(reading.totalKiB))),
    processes: idled.processes.length,
    processesRss: idled.processes,
  };
}
