// The parties as `pnpm dev` runs them: one node process each, on the party's bundle (the same build and
// command, from dev/party-bundle.ts and dev/party-command.ts), all at once and timed until healthy; and how much memory each
// holds, read from /proc/<pid>/status (VmRSS) on Linux.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { environmentFor, type PartyName, type SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { startableParties } from '../dev/parties.js';
import { bundleParty } from '../dev/party-bundle.js';
import { partyCommand } from '../dev/party-command.js';
import { waitUntilHealthy } from '../dev/wait-ready.js';

export interface ChildParty {
  party: PartyName;
  child: ChildProcess;
  /** From spawning the party's process until /health answered 200. */
  readyMs: number;
  /** The last lines it printed, for the error message if it fails. */
  output: string[];
}

export interface ChildSandbox {
  parties: ChildParty[];
  /** From the first spawn until every party was healthy. */
  totalMs: number;
  stop(): Promise<void>;
}

export async function startChildParties(config: SandboxConfig): Promise<ChildSandbox> {
  const env = { ...process.env, ...environmentFor(config), FORCE_COLOR: '0' };
  const parties: ChildParty[] = [];
  // The children have their own process groups, so a Ctrl-C on the benchmark does not reach them: should
  // this process exit before stop(), they are told to stop on the way out.
  const onExit = () => {
    for (const { child } of parties) if (child.pid !== undefined) signalGroup(child.pid, 'SIGTERM');
  };
  process.on('exit', onExit);
  const stop = async () => {
    await Promise.all(parties.map((p) => stopProcessGroup(p.child)));
    process.off('exit', onExit);
  };
  const began = performance.now();
  try {
    await Promise.all(
      startableParties(config).map(async ({ party, dir, healthUrl }) => {
        const spawned = performance.now();
        const bundle = await bundleParty(config.repoRoot, party.name, dir);
        const { command, args } = partyCommand(bundle.file);
        // Its own process group (as pnpm dev does), so that stopping it stops what it started too.
        const child = spawn(command, args, {
          cwd: dir,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
        });
        const entry: ChildParty = { party: party.name, child, readyMs: 0, output: [] };
        parties.push(entry);
        for (const stream of [child.stdout, child.stderr]) {
          stream?.setEncoding('utf8').on('data', (chunk: string) => {
            entry.output.push(...chunk.split('\n').filter(Boolean));
            entry.output.splice(0, Math.max(0, entry.output.length - 20));
          });
        }
        try {
          await waitUntilHealthy(healthUrl, config, {
            timeoutMs: 60_000,
            isAlive: () => child.exitCode === null && child.signalCode === null,
          });
        } catch (err) {
          throw new Error(
            `${party.name} did not start: ${(err as Error).message}\n${entry.output.join('\n')}`,
          );
        }
        entry.readyMs = performance.now() - spawned;
      }),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { parties, totalMs: performance.now() - began, stop };
}

/** SIGTERM to the process group; SIGKILL to what is still there after `graceMs`. */
function stopProcessGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve();
  const pid = child.pid;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signalGroup(pid, 'SIGKILL');
      resolve();
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    signalGroup(pid, 'SIGTERM');
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** VmRSS of a process in KiB, from /proc/<pid>/status; undefined when it is gone. */
export function residentKiB(pid: number): number | undefined {
  try {
    return parseVmRss(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The VmRSS line of a /proc/<pid>/status text, in KiB. */
export function parseVmRss(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) : undefined;
}

/** Every process below `pid` (children, grandchildren, …), from the parent ids in /proc/<pid>/stat. */
export function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which is in parentheses and may contain spaces): state, ppid, …
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(entry), ppid);
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parentOf) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

export interface PartyMemory {
  party: PartyName;
  /** The party's node process. */
  appKiB: number;
  /** What it started below it (tsx's esbuild service; for the TPP also Vite's). */
  helpersKiB: number;
}

export function partyMemory(party: ChildParty): PartyMemory {
  const pid = party.child.pid!;
  const helpers = descendantsOf(pid).reduce((sum, child) => sum + (residentKiB(child) ?? 0), 0);
  return { party: party.party, appKiB: residentKiB(pid) ?? 0, helpersKiB: helpers };
}
