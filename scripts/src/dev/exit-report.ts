// What `pnpm dev` prints when a party's process ends although nobody stopped it: which party, how it
// ended, its last lines, and what happens next.
import { describeEnd, type PartyExit } from './supervisor.js';

export function exitReport(exit: PartyExit): string {
  const lines = exit.lastLines.length
    ? exit.lastLines.map((line) => `  │ ${line}`).join('\n')
    : '  │ (it printed nothing)';
  const next =
    exit.restartInMs === undefined
      ? '--no-watch is fail-fast: stopping every party.'
      : `Restarting ${exit.name} in ${(exit.restartInMs / 1000).toFixed(0)} s (and at once when you save a fix).`;
  return [
    '',
    `✖ ${exit.name} exited (${describeEnd(exit.code, exit.signal)}). Its last ${exit.lastLines.length} lines:`,
    lines,
    next,
  ].join('\n');
}
