// Which core each process of the benchmark runs on. On Linux with `taskset` (util-linux) and at least two
// cores, every server (parties and peers alike) is pinned to one core and the load generator to another,
// so a server's figure is what one core serves and the load never steals its cycles. Elsewhere every
// process runs unpinned, and the report says so.
import { spawnSync } from 'node:child_process';
import os from 'node:os';

export interface Pinning {
  /** The core every server process runs on; undefined when unpinned. */
  serverCpu: number | undefined;
  /** The core the load generator runs on; undefined when unpinned. */
  loadCpu: number | undefined;
  /** What the report prints: the cores, or why nothing is pinned. */
  description: string;
}

export function pinningPlan(cores = os.cpus().length, platform = process.platform): Pinning {
  const unpinned = (why: string): Pinning => ({
    serverCpu: undefined,
    loadCpu: undefined,
    description: `unpinned: ${why}`,
  });
  if (platform !== 'linux') return unpinned(`taskset is Linux's; ${platform} runs every process unpinned`);
  if (cores < 2) return unpinned('one core only: servers and load generator share it');
  if (spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status !== 0) {
    return unpinned('taskset (util-linux) is not installed');
  }
  return { serverCpu: 0, loadCpu: 1, description: 'servers on core 0, load generator on core 1 (taskset)' };
}

/** The command line that runs `command args` on `cpu` (as given when `cpu` is undefined). */
export function pinnedCommand(
  command: string,
  args: readonly string[],
  cpu: number | undefined,
): { command: string; args: string[] } {
  if (cpu === undefined) return { command, args: [...args] };
  return { command: 'taskset', args: ['--cpu-list', String(cpu), command, ...args] };
}
