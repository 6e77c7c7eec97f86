// What machine the benchmark ran on and how busy it was: CPU model and cores, node, the load average
// before and after, and the CPU time everything else on the machine used while it ran (the busy time in
// /proc/stat minus that of the benchmark's own process tree), so a reader can tell a quiet run from one
// that shared its cores.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { cpuTicksOf, descendantsOf } from './process-tree.js';

export interface MachineFacts {
  cpuModel: string;
  cores: number;
  node: string;
  platform: string;
  memoryMiB: number;
  /** Where the servers and the load generator ran (pinning.ts). */
  pinning: string;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
  /** CPU seconds other processes used during the run; undefined where /proc/stat is missing. */
  otherProcessesCpuSeconds: number | undefined;
  /** The same, as a share of the machine's capacity over the run (cores × wall time). */
  otherProcessesCpuShare: number | undefined;
  wallSeconds: number;
}

const clockTicksPerSecond = (() => {
  const answer = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const value = Number(answer.stdout?.trim());
  return Number.isInteger(value) && value > 0 ? value : 100;
})();

/** Busy clock ticks of the whole machine: every CPU column of /proc/stat's first line but idle and iowait. */
export function parseBusyTicks(procStat: string): number | undefined {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = [user, nice, system, irq, softirq, steal].map((n) => n ?? 0);
  return busy.every(Number.isFinite) ? busy.reduce((a, b) => a + b, 0) : undefined;
}

function busyTicks(): number | undefined {
  try {
    return parseBusyTicks(fs.readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** How busy the machine was over a stretch: 1 = every core busy all along. */
export interface BusyShares {
  /** Busy CPU time over cores × wall time. */
  machine: number;
  /** The part of it that processes outside the benchmark's own tree used. */
  others: number;
}

/**
 * Call at the start of a stretch; the function it returns gives how busy the machine was since, and how
 * much of that was other processes' work; undefined without /proc/stat.
 */
export function watchMachineBusy(): () => BusyShares | undefined {
  const began = performance.now();
  const [busyBefore, oursBefore] = [busyTicks(), ourTicks()];
  return () => {
    const [busyAfter, oursAfter] = [busyTicks(), ourTicks()];
    const capacity = ((performance.now() - began) / 1000) * os.cpus().length * clockTicksPerSecond;
    if ([busyBefore, busyAfter, oursBefore, oursAfter].includes(undefined) || capacity <= 0) return undefined;
    const busy = busyAfter! - busyBefore!;
    return { machine: busy / capacity, others: Math.max(0, busy - (oursAfter! - oursBefore!)) / capacity };
  };
}

/** This process and everything below it (reaped children count in the parent's cutime/cstime). */
function ourTicks(): number | undefined {
  const own = cpuTicksOf(process.pid);
  if (own === undefined) return undefined;
  return descendantsOf(process.pid).reduce((sum, pid) => sum + (cpuTicksOf(pid) ?? 0), own);
}

/** Call at the start; the function it returns gives the facts at the end. */
export function watchMachine(pinning: string): () => MachineFacts {
  const began = performance.now();
  const loadAverageBefore = os.loadavg();
  const busyBefore = busyTicks();
  const oursBefore = ourTicks();
  return () => {
    const busyAfter = busyTicks();
    const oursAfter = ourTicks();
    const wallSeconds = (performance.now() - began) / 1000;
    const cpus = os.cpus();
    const other =
      busyBefore === undefined ||
      busyAfter === undefined ||
      oursBefore === undefined ||
      oursAfter === undefined
        ? undefined
        : Math.max(0, busyAfter - busyBefore - (oursAfter - oursBefore)) / clockTicksPerSecond;
    return {
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      cores: cpus.length,
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      memoryMiB: Math.round(os.totalmem() / 2 ** 20),
      pinning,
      loadAverageBefore,
      loadAverageAfter: os.loadavg(),
      otherProcessesCpuSeconds: other,
      otherProcessesCpuShare: other === undefined ? undefined : other / (wallSeconds * cpus.length),
      wallSeconds,
    };
  };
}
