// Runs each party as a child process with its output labelled by party, and stops them all together.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const COLOURS = ['\x1b[36m', '\x1b[33m', '\x1b[35m', '\x1b[32m', '\x1b[34m'];
const RESET = '\x1b[0m';

export interface SupervisedProcess {
  name: string;
  child: ChildProcess;
}

export class Supervisor {
  private readonly processes: SupervisedProcess[] = [];
  private stopping = false;
  private readonly useColour = process.stdout.isTTY === true;
  private readonly width: number;

  constructor(
    names: string[],
    private readonly onUnexpectedExit: (name: string, code: number | null) => void,
  ) {
    this.width = Math.max(...names.map((n) => n.length));
  }

  label(name: string, index: number): string {
    const padded = name.padEnd(this.width);
    return this.useColour ? `${COLOURS[index % COLOURS.length]}${padded}${RESET} │` : `${padded} │`;
  }

  /** Starts `tsx [watch] src/main.ts` in the party's folder; its lines are printed behind its label. */
  start(
    name: string,
    dir: string,
    options: { watch: boolean; env: NodeJS.ProcessEnv; repoRoot: string },
  ): SupervisedProcess {
    const index = this.processes.length;
    // tsx is a root devDependency: one copy for the whole workspace.
    const tsx = path.join(
      options.repoRoot,
      'node_modules',
      '.bin',
      process.platform === 'win32' ? 'tsx.cmd' : 'tsx',
    );
    const args = options.watch ? ['watch', '--clear-screen=false', 'src/main.ts'] : ['src/main.ts'];
    const child = spawn(tsx, args, {
      cwd: dir,
      env: { ...options.env, FORCE_COLOR: this.useColour ? '1' : '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that stopping it also stops what tsx watch started.
      detached: process.platform !== 'win32',
    });
    const prefix = this.label(name, index);
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      readline
        .createInterface({ input: stream })
        .on('line', (line) => process.stdout.write(`${prefix} ${line}\n`));
    }
    child.on('exit', (code) => {
      if (!this.stopping) this.onUnexpectedExit(name, code);
    });
    child.on('error', (err) => {
      process.stdout.write(`${prefix} could not start: ${err.message}\n`);
      if (!this.stopping) this.onUnexpectedExit(name, null);
    });
    const supervised = { name, child };
    this.processes.push(supervised);
    return supervised;
  }

  /** SIGTERM to every party's process group, SIGKILL to whatever is left after a grace period. */
  async stopAll(graceMs = 5000): Promise<void> {
    this.stopping = true;
    const running = this.processes.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
    await Promise.all(
      running.map(
        (p) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              signal(p.child, 'SIGKILL');
              resolve();
            }, graceMs);
            p.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            signal(p.child, 'SIGTERM');
          }),
      ),
    );
  }
}

function signal(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') child.kill(sig);
    else process.kill(-child.pid, sig);
  } catch {
    // Already gone: nothing to stop.
  }
}
