// The bent part of a message, in words a projector can show: each header, form field, claim or JSON
// member the hook changed, added or removed, and whether it swapped the TLS client (certificate) or the
// signing key. Never the key itself.
import type { OutgoingMessage } from '../bend.js';

const MAX = 60;

function shown(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > MAX ? `'${text.slice(0, MAX - 1)}…'` : `'${text}'`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Leaf by leaf: `<where> <path>: <before> -> <after>`, `removed` or `added`. */
function diff(where: string, path: string, before: unknown, after: unknown, out: string[]): void {
  if (isRecord(before) && isRecord(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      diff(where, path ? `${path}.${key}` : key, before[key], after[key], out);
    }
    return;
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return;
  if (after === undefined) out.push(`${where} ${path}: removed (was ${shown(before)})`);
  else if (before === undefined) out.push(`${where} ${path}: added ${shown(after)}`);
  else out.push(`${where} ${path}: ${shown(before)} -> ${shown(after)}`);
}

export function describeChanges(before: OutgoingMessage, after: OutgoingMessage): string[] {
  const out: string[] = [];
  if (before.kind === 'http' && after.kind === 'http') {
    if (before.url !== after.url) out.push(`URL: ${after.url}`);
    diff('header', '', before.headers, after.headers, out);
    diff('form field', '', before.form ?? {}, after.form ?? {}, out);
    diff('body', '', before.json ?? {}, after.json ?? {}, out);
    if (before.dispatcher !== after.dispatcher) out.push('TLS client certificate: swapped for another');
    return out;
  }
  if (before.kind === 'jwt' && after.kind === 'jwt') {
    diff(`${after.purpose} header`, '', before.header, after.header, out);
    diff(`${after.purpose} claim`, '', before.claims, after.claims, out);
    if (before.key.key !== after.key.key) out.push(`${after.purpose}: signed with another key`);
  }
  return out;
}
