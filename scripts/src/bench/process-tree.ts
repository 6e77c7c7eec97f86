// A process tree as Linux shows it in /proc: which processes descend from one, what each runs, how much
// memory each holds (VmRSS) and how much CPU time each has used, for the memory figure and the machine's load.
import fs from 'node:fs';

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

/** A process's command line, one entry an argument, from /proc/<pid>/cmdline; undefined when it is gone. */
export function commandLineOf(pid: number): string[] | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
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

/** User + system CPU time a process has used, with that of its waited-for children, in clock ticks. */
export function cpuTicksOf(pid: number): number | undefined {
  try {
    return parseCpuTicks(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** utime + stime + cutime + cstime (fields 14-17) of a /proc/<pid>/stat line. */
export function parseCpuTicks(stat: string): number | undefined {
  // The fields after the command name (in parentheses, which may hold spaces) start at field 3 (state).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = fields.slice(11, 15).map(Number);
  return ticks.length === 4 && ticks.every(Number.isFinite) ? ticks.reduce((a, b) => a + b, 0) : undefined;
}

/** Resident memory of `pid` and every process below it, in KiB. */
export function treeResidentKiB(pid: number): number {
  return [pid, ...descendantsOf(pid)].reduce((sum, each) => sum + (residentKiB(each) ?? 0), 0);
}
