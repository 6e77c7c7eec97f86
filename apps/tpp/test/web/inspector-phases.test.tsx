// @vitest-environment happy-dom
// The inspector's message list: a heading per phase, the start of the connect phase selected first
// (not the registration checks before it), and a refusal the flow expects not painted as a failure.
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ConnectionTrace, TimelineEntry } from '../../src/shared/timeline.js';
import { InspectorView } from '../../src/web/pages/InspectorPage.js';
import { Router } from '../../src/web/router.js';
import { timelineEntry } from './timeline-entry.js';

const entry = (
  title: string,
  phase: TimelineEntry['phase'],
  fields: Partial<TimelineEntry> = {},
): TimelineEntry => timelineEntry(title, title, { phase, ...fields });

const trace: ConnectionTrace = {
  connectionId: 'c1',
  interactionId: 'i1',
  unavailable: [],
  entries: [
    entry('Check the stored registration is current', 'onboarding', { channel: 'internal', to: 'tpp' }),
    entry('DCR: read registration (RFC 7592)', 'onboarding', { status: 200 }),
    entry('Client-credentials token', 'connect', {
      status: 400,
      expected: true,
      expectedBecause:
        'Expected under FAPI 2.0 + DPoP, private_key_jwt: use_dpop_nonce, answered by a retry.',
    }),
    entry('Retry with the server’s DPoP nonce: Client-credentials token', 'connect', { status: 200 }),
    entry('Read accounts', 'use', { to: 'bank-api', status: 200 }),
    entry('Refresh the access token', 'refresh', { status: 200 }),
    entry('Read balances', 'use', { to: 'bank-api', status: 200 }),
    entry('Check the API refuses the old token', 'disconnect', { to: 'bank-api', status: 401 }),
  ],
};

describe('the inspector’s message list', () => {
  it('groups the messages under a heading per phase, a phase met again getting a heading again', () => {
    render(
      <Router>
        <InspectorView trace={trace} backTo="/connections/c1" />
      </Router>,
    );
    const groups = screen.getAllByTestId('timeline-phase');
    expect(groups.map((g) => [g.dataset.phase, within(g).getAllByTestId('timeline-entry').length])).toEqual([
      ['onboarding', 2],
      ['connect', 2],
      ['use', 1],
      ['refresh', 1],
      ['use', 1],
      ['disconnect', 1],
    ]);
    expect(within(groups[1]!).getByRole('heading', { level: 2 }).textContent).toMatch(/^Connect/);
    // Each phase's list is named by its heading.
    expect(within(groups[0]!).getByRole('list', { name: /Onboarding/ })).toBeTruthy();
  });

  it('selects the start of the flow first, not the registration checks before it', () => {
    render(
      <Router>
        <InspectorView trace={trace} backTo="/connections/c1" />
      </Router>,
    );
    const selected = screen
      .getAllByTestId('timeline-entry')
      .filter((e) => e.getAttribute('aria-pressed') === 'true');
    expect(selected.map((e) => e.textContent)).toEqual([expect.stringContaining('Client-credentials token')]);
  });

  it('does not paint an expected refusal as a failure, and says why', () => {
    render(
      <Router>
        <InspectorView trace={trace} backTo="/connections/c1" />
      </Router>,
    );
    const [nonce, unexpected] = ['Client-credentials token', 'Check the API refuses the old token'].map(
      (title) => screen.getAllByTestId('timeline-entry').find((e) => e.textContent?.includes(title))!,
    );
    expect(nonce!.dataset.outcome).toBe('expected');
    expect(nonce!.textContent).toMatch(/expected refusal/);
    expect(nonce!.getAttribute('title')).toMatch(/FAPI 2\.0 \+ DPoP/);
    expect(unexpected!.dataset.outcome).toBe('failed');
  });
});
