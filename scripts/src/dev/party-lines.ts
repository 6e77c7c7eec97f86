// What `pnpm dev` prints of a party's output: its JSON log lines (fapi-core/log) made readable by
// pino-pretty (time, level, message, then the fields a learner follows: interactionId, clause, an error's
// stack), one line each except a stack. The party is in the supervisor's prefix, so not repeated here;
// method, path, status and error are already in the message. Anything else a party prints passes as is.
import { prettyFactory } from 'pino-pretty';

const SAID_ELSEWHERE = [
  'party',
  'pid',
  'hostname',
  'reqId',
  'method',
  'path',
  'status',
  'durationMs',
  'error',
];

/** Formats one line of a party's output for the terminal: one or more lines, no line end. */
export function partyLineFormatter(options: { colour: boolean }): (line: string) => string[] {
  const pretty = prettyFactory({
    colorize: options.colour,
    translateTime: 'SYS:HH:MM:ss',
    ignore: SAID_ELSEWHERE.join(','),
    singleLine: true,
  });
  return (line) => {
    if (!line.startsWith('{')) return [line];
    return pretty(line)
      .trimEnd()
      .split('\n')
      .map((shown) => shown.trimEnd());
  };
}
