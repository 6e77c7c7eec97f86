// Canonical JSON (object keys sorted, undefined dropped): two bodies that mean the same thing
// serialise the same, so payloads can be compared and hashed regardless of key order.
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}

/** SHA-256 (hex) of a request body's canonical JSON: what an idempotency record remembers. */
export function hashRequest(body: unknown): string {
  return createHash('sha256').update(canonicalJson(body)).digest('hex');
}

/** Paths (`a.b[0].c`) at which two JSON values differ; empty when they are equal. */
export function differingPaths(expected: unknown, actual: unknown, at = ''): string[] {
  if (canonicalJson(expected) === canonicalJson(actual)) return [];
  const bothObjects =
    expected !== null &&
    actual !== null &&
    typeof expected === 'object' &&
    typeof actual === 'object' &&
    Array.isArray(expected) === Array.isArray(actual);
  if (!bothObjects) return [at || '(root)'];
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) return [at || '(root)'];
    return expected.flatMap((e, i) => differingPaths(e, actual[i], `${at}[${i}]`));
  }
  const e = expected as Record<string, unknown>;
  const a = actual as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].sort();
  return keys.flatMap((k) => differingPaths(e[k], a[k], at ? `${at}.${k}` : k));
}
