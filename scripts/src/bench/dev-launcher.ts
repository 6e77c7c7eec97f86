// `pnpm dev` as a learner runs it: the root script (pnpm, then scripts/src/dev/start.mjs, which starts every
// party) on the bench's own ports and data folder. Started twice, the second start is the warm figure
// (data seeded, caches full): from spawning `pnpm dev` until every party's /health answers. After it has
// idled a few seconds, the resident memory of its whole process tree, launchers included.
import fs from 'node:fs';
import { environmentFor, type SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { startableParties } from '../dev/parties.js';
import { waitUntilHealthy } from '../dev/wait-ready.js';
import { failureOf, startProcess } from './child-process.js';
import { descendantsOf, residentKiB } from './process-tree.js';

export interface DevLauncherFigures {
  coldReadySeconds: number;
  warmReadySeconds: number;
  idleRssMiB: number;
  /** How many processes the running sandbox is (pnpm, the launcher, the parties, their helpers). */
  processes: number;
}

async function startOnce(config: SandboxConfig, idleMs: number | undefined) {
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
    const readySeconds = (performance.now() - began) / 1000;
    if (idleMs === undefined) return { readySeconds, idleKiB: 0, processes: 0 };
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    const tree = [dev.child.pid!, ...descendantsOf(dev.child.pid!)];
    const idleKiB = tree.reduce((sum, pid) => sum + (residentKiB(pid) ?? 0), 0);
    return { readySeconds, idleKiB, processes: tree.length };
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

export async function measureDevLauncher(config: SandboxConfig, idleMs: number): Promise<DevLauncherFigures> {
  const cold = await startOnce(config, undefined);
  const warm = await startOnce(config, idleMs);
  return {
    coldReadySeconds: cold.readySeconds,
    warmReadySeconds: warm.readySeconds,
    idleRssMiB: warm.idleKiB / 1024,
    processes: warm.processes,
  };
}
