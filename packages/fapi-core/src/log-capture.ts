// Log lines a test reads: the parties' loggers (log.ts) writing into memory instead of stdout, so a test
// asserts on the JSON a party really writes (its fields, and that no credential is in it).
import { createLogger, type Logger } from './log.js';

/** A log line as a test reads it: pino's JSON, parsed. */
export type LogLine = Record<string, unknown> & { msg: string; party: string; level: number };

export interface CapturedLogs {
  /** Every line so far, parsed, in order (the array grows as the parties log). */
  lines: LogLine[];
  /** Every line so far exactly as written. */
  text(): string;
  /** A party's logger writing here, at `info` whatever LOG_LEVEL says. */
  logOf(party: string): Logger;
}

/** Log lines a test reads, from any number of parties' loggers. */
export function captureLogs(): CapturedLogs {
  const lines: LogLine[] = [];
  let text = '';
  const destination = {
    write(chunk: string) {
      text += chunk;
      for (const line of chunk.split('\n')) if (line) lines.push(JSON.parse(line) as LogLine);
    },
  };
  return { lines, text: () => text, logOf: (party) => createLogger(party, { level: 'info', destination }) };
}
