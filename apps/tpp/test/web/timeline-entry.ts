// A timeline entry for component tests: a back-channel message from Moneywise to the bank in the connect
// phase, with whatever the test changes.
import type { TimelineEntry } from '../../src/shared/timeline.js';

export function timelineEntry(id: string, title: string, fields: Partial<TimelineEntry> = {}): TimelineEntry {
  return {
    id,
    at: '2025-06-30T09:00:00.000Z',
    interactionId: 'i1',
    channel: 'back',
    from: 'tpp',
    to: 'bank-op',
    title,
    jwts: [],
    checks: [],
    reportedBy: ['tpp'],
    phase: 'connect',
    ...fields,
  };
}
