// Owns each party's node process: bundles the party (party-bundle.ts) and starts node on the bundle (no
// launcher in between, so its exit is seen at once), labels its output (its JSON log lines made readable: party-lines.ts), reports an exit
// nobody asked for with the party's last lines, restarts it in watch mode (after a backoff, or at once
// when a source file changes) and stops them all.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import readline from 'node:readline';
import { bundleParty, type PartyBundle } from './party-bundle.js';
import { partyCommand } from './party-command.js';
import { partyLineFormatter } from './party-lines.js';
import { sourceFoldersOf, watchSources } from './source-watch.js';

const COLOURS = ['\x1b[36m', '\x1b[33m', '\x1b[35m', '\x1b[32m', '\x1b[34m'];
const RESET = '\x1b[0m';
/** How many of a party's last output lines an exit report shows. */
export const LAST_LINES = 20;
/** A party that ran this long before dying is restarted quickly again; one that dies at boot backs off. */
const STABLE_MS = 30_000;
const MAX_BACKOFF_MS = 30_000;

export interface PartyExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  lastLines: string[];
  /** Set in watch mode: the supervisor starts the party again after this delay. */
  restartInMs?: number;
}

export interface SupervisorOptions {
  watch: boolean;
  repoRoot: string;
  env: NodeJS.ProcessEnv;
  /** A party exited although nobody stopped it. */
  onUnexpectedExit: (exit: PartyExit) => void;
  /** A party was started again (after an exit, or because its sources changed). */
  onRestarted?: (name: string) => void;
}

interface SupervisedParty {
  name: string;
  dir: string;
  prefix: string;
  child: ChildProcess | undefined;
  startedAt: number;
  lastLines: string[];
  /** Exits in a row that came soon after a start: the backoff grows with them. */
  quickExits: number;
  restartTimer: NodeJS.Timeout | undefined;
  /** Set while the supervisor itself stops the process to restart it. */
  restarting: boolean;
  stopWatching: () => void;
  bundle: PartyBundle;
  prepare: () => Promise<void>;
  env: Record<string, string>;
}

export interface StartOptions {
  /** Runs before the first start and before each restart for a changed source. */
  prepare?: () => Promise<void>;
  /** Restart for changes under the party's `src/web` too (the TPP when it serves a build of it). */
  watchWebSources?: boolean;
  /** Set for this process only, over the supervisor's environment: what makes it one replica. */
  env?: Record<string, string>;
}

/** "code 1" or "signal SIGKILL": how a process ended, as Node reports it. */
export function describeEnd(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}

/** The delay before the n-th quick restart in a row: 1 s, 2 s, 4 s … up to 30 s. */
export function backoffMs(quickExits: number): number {
  return Math.min(1000 * 2 ** Math.max(0, quickExits - 1), MAX_BACKOFF_MS);
}

export class Supervisor {
  private readonly parties = new Map<string, SupervisedParty>();
  private stopping = false;
  private readonly useColour = process.stdout.isTTY === true;
  /** The parties' JSON log lines, readable. */
  private readonly format = partyLineFormatter({ colour: this.useColour });
  private readonly width: number;

  constructor(
    names: string[],
    private readonly options: SupervisorOptions,
  ) {
    this.width = Math.max(...names.map((n) => n.length));
  }

  label(name: string, index: number): string {
    const padded = name.padEnd(this.width);
    return this.useColour ? `${COLOURS[index % COLOURS.length]}${padded}${RESET} │` : `${padded} │`;
  }

  /**
   * Bundles the party's `src/main.ts`, runs `prepare` (anything else the party serves, such as the TPP's
   * web build) and starts it; in watch mode also watches the sources it runs and, before each restart,
   * bundles and prepares again. Rejects with esbuild's message when the sources do not build.
   */
  async start(name: string, dir: string, options: StartOptions = {}): Promise<void> {
    const { prepare = async () => {}, watchWebSources = false, env = {} } = options;
    const [bundle] = await Promise.all([bundleParty(this.options.repoRoot, name, dir), prepare()]);
    const party: SupervisedParty = {
      name,
      dir,
      prefix: this.label(name, this.parties.size),
      child: undefined,
      startedAt: 0,
      lastLines: [],
      quickExits: 0,
      restartTimer: undefined,
      restarting: false,
      stopWatching: () => {},
      bundle,
      prepare,
      env,
    };
    this.parties.set(name, party);
    if (this.options.watch) {
      const { folders, ignore } = sourceFoldersOf(dir, this.options.repoRoot, { watchWebSources });
      party.stopWatching = watchSources(folders, ignore, (file) => {
        this.print(party, `${path.relative(this.options.repoRoot, file)} changed: restarting`);
        void this.restart(party);
      });
    }
    this.spawn(party);
  }

  /** Whether the party's process is up (it may still be booting). */
  isRunning(name: string): boolean {
    const child = this.parties.get(name)?.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  }

  pidOf(name: string): number | undefined {
    return this.isRunning(name) ? this.parties.get(name)?.child?.pid : undefined;
  }

  /** SIGTERM to every party's process group, SIGKILL to whatever is left after a grace period. */
  async stopAll(graceMs = 5000): Promise<void> {
    this.stopping = true;
    for (const party of this.parties.values()) {
      party.stopWatching();
      clearTimeout(party.restartTimer);
    }
    await Promise.all([...this.parties.values()].map((party) => stopChild(party.child, graceMs)));
  }

  /** Synchronous last resort (for process 'exit'): SIGKILL to every party still running. */
  killAll(): void {
    for (const party of this.parties.values()) {
      if (party.child && party.child.exitCode === null && party.child.signalCode === null) {
        signalGroup(party.child, 'SIGKILL');
      }
    }
  }

  private spawn(party: SupervisedParty): void {
    party.restartTimer = undefined;
    party.startedAt = performance.now();
    const { command, args } = partyCommand(party.bundle.file);
    const child = spawn(command, args, {
      cwd: party.dir,
      env: { ...this.options.env, ...party.env, FORCE_COLOR: this.useColour ? '1' : '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: Ctrl-C reaches the supervisor only, which then stops each party in
      // turn, and stopping a party also stops whatever it started.
      detached: process.platform !== 'win32',
    });
    party.child = child;
    this.print(party, `started (pid ${child.pid})`);
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        for (const shown of this.format(line)) {
          party.lastLines.push(shown);
          if (party.lastLines.length > LAST_LINES) party.lastLines.shift();
          process.stdout.write(`${party.prefix} ${shown}\n`);
        }
      });
    }
    child.once('error', (err) => {
      party.lastLines.push(`could not start: ${err.message}`);
      this.print(party, `could not start: ${err.message}`);
    });
    child.once('exit', (code, signal) => {
      // Nothing the party started outlives it.
      signalGroup(child, 'SIGKILL');
      // Its last lines are still in the pipes: report once they are read.
      void Promise.race([once(child, 'close'), delay(1000)]).then(() =>
        this.exited(party, child, code, signal),
      );
    });
  }

  private exited(
    party: SupervisedParty,
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    if (this.stopping || party.restarting || party.child !== child) return;
    const ranMs = performance.now() - party.startedAt;
    party.quickExits = ranMs > STABLE_MS ? 1 : party.quickExits + 1;
    const restartInMs = this.options.watch ? backoffMs(party.quickExits) : undefined;
    this.options.onUnexpectedExit({
      name: party.name,
      code,
      signal,
      lastLines: [...party.lastLines],
      ...(restartInMs === undefined ? {} : { restartInMs }),
    });
    if (restartInMs !== undefined) {
      party.restartTimer = setTimeout(() => {
        if (this.stopping) return;
        this.spawn(party);
        this.options.onRestarted?.(party.name);
      }, restartInMs);
    }
  }

  /**
   * A source changed: bundle again, then stop the running process (if any) and start it again at once.
   * Sources that do not build leave the running process as it is and say why.
   */
  private async restart(party: SupervisedParty): Promise<void> {
    if (this.stopping || party.restarting) return;
    clearTimeout(party.restartTimer);
    party.restarting = true;
    try {
      await Promise.all([party.bundle.rebuild(), party.prepare()]);
    } catch (err) {
      party.restarting = false;
      this.print(party, `not restarted: the sources do not build\n${(err as Error).message}`);
      return;
    }
    await stopChild(party.child, 5000);
    party.restarting = false;
    if (this.stopping) return;
    party.quickExits = 0;
    this.spawn(party);
    this.options.onRestarted?.(party.name);
  }

  private print(party: SupervisedParty, message: string): void {
    process.stdout.write(`${party.prefix} ${message}\n`);
  }
}

async function stopChild(child: ChildProcess | undefined, graceMs: number): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

function signalGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') child.kill(sig);
    else process.kill(-child.pid, sig);
  } catch {
    // Already gone: nothing to stop.
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
