// The benchmark's own child processes (parties, peers, the load generator, the dev launcher): each in a
// process group of its own (so stopping it stops what it started), pinned where the plan says, its last
// output lines kept for the error message should it fail, and stopped on the way out whatever happens.
import { type ChildProcess, spawn } from 'node:child_process';
import { pinnedCommand } from './pinning.js';

export interface BenchProcess {
  name: string;
  child: ChildProcess;
  /** The last lines it printed, for the error message if it fails. */
  output: string[];
  isAlive(): boolean;
  stop(): Promise<void>;
}

const running = new Set<BenchProcess>();
// Should the benchmark end before stopping them (an error, Ctrl-C), they are killed on the way out.
process.on('exit', () => {
  for (const each of running) if (each.child.pid !== undefined) signalGroup(each.child.pid, 'SIGKILL');
});

export interface StartOptions {
  name: string;
  command: string;
  args: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  cpu: number | undefined;
  /** Open an IPC channel (the child is a node process that talks to the benchmark). */
  ipc?: boolean;
}

export function startProcess(options: StartOptions): BenchProcess {
  const { command, args } = pinnedCommand(options.command, options.args, options.cpu);
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...options.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe', ...(options.ipc ? (['ipc'] as const) : [])],
    detached: true,
  });
  const output: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8').on('data', (chunk: string) => {
      output.push(...chunk.split('\n').filter(Boolean));
      output.splice(0, Math.max(0, output.length - 20));
    });
  }
  const isAlive = () => child.exitCode === null && child.signalCode === null;
  const entry: BenchProcess = {
    name: options.name,
    child,
    output,
    isAlive,
    stop: async () => {
      running.delete(entry);
      await stopProcessGroup(child);
    },
  };
  running.add(entry);
  return entry;
}

/** A failure message that names the process and shows what it last printed. */
export function failureOf(process: BenchProcess, message: string): Error {
  return new Error(`${process.name}: ${message}\n${process.output.map((l) => `  │ ${l}`).join('\n')}`);
}

/** SIGTERM to the process group; SIGKILL to what is still there after `graceMs`. */
export function stopProcessGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
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
      // Nothing it started outlives it.
      signalGroup(pid, 'SIGKILL');
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
