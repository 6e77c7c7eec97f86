// Which refusals the inspector paints as expected: a 401 answered by a refresh is expected only when the
// refresh and the call after it succeed; a token refused because the software was suspended is not.
import { describe, expect, it } from 'vitest';
import type { TimelineEntry } from '../../src/shared/timeline.js';
import { markExpectedRefusals } from '../../src/trace/expected-refusals.js';
import { STEPS } from '../../src/trace/steps.js';

let seq = 0;
function entry(title: string, status: number, fields: Partial<TimelineEntry> = {}): TimelineEntry {
  seq += 1;
  return {
    id: `m${seq}`,
    at: `2025-06-30T09:00:${String(seq).padStart(2, '0')}.000Z`,
    interactionId: 'i1',
    channel: 'back',
    phase: 'use',
    from: 'tpp',
    to: 'bank-api',
    title,
    status,
    jwts: [],
    checks: [],
    reportedBy: ['tpp'],
    ...fields,
  };
}

const refusedToken = () =>
  entry('Read accounts', 401, { responseHeaders: { 'www-authenticate': 'DPoP error="invalid_token"' } });

describe('expected refusals', () => {
  it('marks a 401 invalid_token as expected when the refresh and the call after it succeed', () => {
    const entries = [
      refusedToken(),
      entry(STEPS.refresh.title, 200, { to: 'bank-op' }),
      entry('Read accounts', 200),
    ];
    markExpectedRefusals(entries, 'FAPI 2.0 + DPoP');
    expect(entries[0]!.expected).toBe(true);
    expect(entries[0]!.expectedBecause).toMatch(
      /Expected under FAPI 2\.0 \+ DPoP: the access token had expired/,
    );
  });

  it('does not mark a 401 as expected when the refresh is refused too (the software suspended)', () => {
    const entries = [refusedToken(), entry(STEPS.refresh.title, 401, { to: 'bank-op' })];
    markExpectedRefusals(entries, 'FAPI 2.0 + DPoP');
    expect(entries[0]!.expected).toBeUndefined();
  });

  it('does not mark a 401 as expected when the call after a successful refresh is refused again', () => {
    const entries = [refusedToken(), entry(STEPS.refresh.title, 200, { to: 'bank-op' }), refusedToken()];
    markExpectedRefusals(entries, 'FAPI 2.0 + DPoP');
    expect(entries[0]!.expected).toBeUndefined();
  });
});
