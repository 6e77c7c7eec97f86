// The learner's events as a readable sequence for a terminal: when, which party, which message, how it
// ended, and every check that failed with its clause and what was found.
import type { TraceEvent } from '@fapi-sandbox/fapi-core/trace';

const PARTY_WIDTH = 10;

/** The path of the request, without the origin (the party names the origin). */
export function messageOf(event: TraceEvent): string {
  // The base only completes a relative URL so its path can be read; it is never contacted.
  const url = event.url ? URL.parse(event.url, 'https://party.localhost') : undefined;
  return `${event.method ?? ''} ${url?.pathname ?? ''}`.trim();
}

/** One event: a line for the message and its outcome, then one line per failed check. */
export function formatEvent(event: TraceEvent): string {
  const time = event.at.slice(11, 23);
  const passed = event.checks.filter((check) => check.passed).length;
  const failed = event.checks.filter((check) => !check.passed);
  const step = event.step && event.step !== messageOf(event) ? `  ${event.step}` : '';
  const checks = event.checks.length ? `  (${passed} of ${event.checks.length} checks passed)` : '';
  const lines = [
    `${time}  ${event.party.padEnd(PARTY_WIDTH)}${messageOf(event)} → ${event.status ?? '?'}${step}${checks}`,
  ];
  for (const check of failed) {
    lines.push(`${' '.repeat(14 + PARTY_WIDTH)}✗ ${check.name} (${check.clause}): ${check.detail}`);
  }
  return lines.join('\n');
}

export function formatSequence(events: readonly TraceEvent[]): string {
  return events.map(formatEvent).join('\n');
}
