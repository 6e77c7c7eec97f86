// No credential reaches a log line (RFC 6750 §5.3): a member named on redact.ts's one list, at the top of
// a line's object or up to two levels down, is written as "[redacted]". One pass over the line with a set
// lookup per member, where pino's `redact` evaluated 105 wildcard paths on each line and each child logger
// (about 0.2 ms per request line, issue #15). The caller's objects are never changed: a member is censored
// in a copy.
import { CREDENTIAL_NAMES } from './redact.js';

export const CENSOR = '[redacted]';
const NAMES = new Set(CREDENTIAL_NAMES);

/** pino redaction paths for the top level only (no wildcard: a lookup per member, not a search). */
export const CREDENTIAL_PATHS: string[] = CREDENTIAL_NAMES.map((name) =>
  /^[A-Za-z_$][\w$]*$/.test(name) ? name : `["${name}"]`,
);
/** The line's own members and two levels below them. */
const LEVELS = 3;

function isRecord(value: unknown): value is Record<string, unknown> {
  // Values with their own JSON form (Date, URL, Buffer) are written as that form: nothing to look into.
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { toJSON?: unknown }).toJSON !== 'function'
  );
}

/** A copy to censor members of: an error stays an error for pino's err serializer (type, message, stack). */
function copyOf(value: Record<string, unknown>): Record<string, unknown> {
  if (Array.isArray(value)) return [...value] as unknown as Record<string, unknown>;
  if (!(value instanceof Error)) return { ...value };
  const copy = Object.create(Object.getPrototypeOf(value)) as Record<string, unknown>;
  for (const name of ['message', 'stack', 'cause'] as const) {
    if (name in value) Object.defineProperty(copy, name, { value: value[name], writable: true });
  }
  return Object.assign(copy, value);
}

/** `value` with every credential member within `levels` censored; the same value when it has none. */
function censor(value: unknown, levels: number): unknown {
  if (levels === 0 || !isRecord(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const member = value[key];
    const written = NAMES.has(key) && member !== undefined ? CENSOR : censor(member, levels - 1);
    if (written === member) continue;
    copy ??= copyOf(value);
    copy[key] = written;
  }
  return copy ?? value;
}

/** pino's formatters for the line's object and a child logger's bindings: credentials censored. */
export function censorCredentials<T extends object>(line: T): T {
  return censor(line, LEVELS) as T;
}
