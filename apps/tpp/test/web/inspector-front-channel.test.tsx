// @vitest-environment happy-dom
// The inspector with bank-op's front-channel records (authorize, sign-in, consent, redirect back) filed
// under the interaction id the TPP pushed its request with: built by the same timeline code the back end
// uses, and drawn between the Browser and Bank OP lanes.
import type { TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { render, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Lane } from '../../src/shared/timeline.js';
import { buildTimeline } from '../../src/trace/timeline.js';
import { InspectorView } from '../../src/web/pages/InspectorPage.js';
import { Router } from '../../src/web/router.js';

const BANK = 'https://bank.localhost:9443';
const TPP = 'https://tpp.localhost:8543';
const partyOf = (url: string): Lane => (url.startsWith(BANK) ? 'bank-op' : 'tpp');

let seq = 0;
function event(
  at: string,
  fields: Partial<TraceEvent> & Pick<TraceEvent, 'party' | 'direction' | 'channel' | 'step'>,
): TraceEvent {
  seq += 1;
  return {
    id: `e${seq}`,
    at: `2025-06-30T09:00:${at}Z`,
    interactionId: 'i1',
    jwts: [],
    checks: [],
    ...fields,
  };
}

const events: TraceEvent[] = [
  event('01.000', {
    party: 'tpp',
    direction: 'outbound',
    channel: 'back',
    step: 'Push the authorization request (PAR)',
    method: 'POST',
    url: `${BANK}/par`,
    status: 201,
  }),
  event('01.010', {
    party: 'bank-op',
    direction: 'inbound',
    channel: 'front',
    step: 'Pushed authorization request',
    method: 'POST',
    url: `${BANK}/par`,
    status: 201,
  }),
  event('01.100', {
    party: 'tpp',
    direction: 'outbound',
    channel: 'front',
    step: 'Send the customer to the bank',
    method: 'GET',
    url: `${BANK}/authorize?client_id=c1&request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3Ax`,
  }),
  event('01.200', {
    party: 'bank-op',
    direction: 'inbound',
    channel: 'front',
    step: 'Authorization request (front channel)',
    explanation: 'The browser brings the client’s authorization request; the bank checks it first.',
    clause: 'RFC 9126 §4',
    method: 'GET',
    url: `${BANK}/authorize`,
    status: 303,
    responseHeaders: { location: `${BANK}/interaction/u1` },
    checks: [
      {
        name: 'request_uri bound to this client and unexpired',
        passed: true,
        clause: 'RFC 9126 §4',
        detail: 'pushed by client c1',
      },
    ],
  }),
  event('04.000', {
    party: 'bank-op',
    direction: 'inbound',
    channel: 'front',
    step: 'Customer sign-in and consent',
    method: 'POST',
    url: `${BANK}/interaction/u1/login`,
    status: 303,
  }),
  event('07.000', {
    party: 'bank-op',
    direction: 'inbound',
    channel: 'front',
    step: 'Authorization response (redirect to the client)',
    method: 'GET',
    url: `${BANK}/authorize/u1`,
    status: 303,
    responseHeaders: { location: `${TPP}/callback?code=abcdefgh…&state=s1&iss=${encodeURIComponent(BANK)}` },
  }),
  event('07.100', {
    party: 'tpp',
    direction: 'inbound',
    channel: 'front',
    step: 'Customer returns to Moneywise',
    method: 'GET',
    url: `${TPP}/callback?code=%5Bredacted%5D&state=s1`,
  }),
];

describe('Flow inspector with bank-op’s front-channel events', () => {
  it('draws the customer’s steps at the bank between the Browser and Bank OP lanes', async () => {
    const entries = await buildTimeline(events, partyOf);
    render(
      <Router>
        <InspectorView
          trace={{ connectionId: 'c1', interactionId: 'i1', entries, unavailable: [] }}
          backTo="/"
        />
      </Router>,
    );
    const arrows = within(screen.getByTestId('sequence-diagram')).getAllByTestId('sequence-message');
    expect(
      arrows.map((g) => [
        g.querySelector('title')?.textContent,
        g.dataset.from,
        g.dataset.to,
        g.dataset.channel,
      ]),
    ).toEqual([
      ['201 Push the authorization request (PAR)', 'tpp', 'bank-op', 'back'],
      ['Send the customer to the bank', 'tpp', 'browser', 'front'],
      ['303 Authorization request (front channel)', 'browser', 'bank-op', 'front'],
      ['303 Customer sign-in and consent', 'browser', 'bank-op', 'front'],
      ['303 Authorization response (redirect to the client)', 'browser', 'bank-op', 'front'],
      ['Customer returns to Moneywise', 'browser', 'tpp', 'front'],
    ]);
    // The arrow runs from the Browser's lifeline to Bank OP's (lanes left to right: Browser, TPP, Directory, Bank OP).
    const line = arrows[2]!.querySelector('line')!;
    expect(Number(line.getAttribute('x1'))).toBeLessThan(Number(line.getAttribute('x2')));
    expect(arrows[2]!.getAttribute('class')).toMatch(/\bfront\b/);

    const timeline = screen.getAllByTestId('timeline-entry');
    expect(timeline[2]!.textContent).toMatch(
      /Authorization request \(front channel\)Browser → Bank OP · 303/,
    );
    await userEvent.click(timeline[2]!);
    const detail = screen.getByTestId('timeline-detail');
    expect(detail.textContent).toMatch(/Browser → Bank OP · front channel \(browser\) · reported by Bank OP/);
    expect(within(detail).getByTestId('timeline-checks').textContent).toMatch(
      /request_uri bound to this client and unexpired \(Bank OP\)/,
    );
  });
});
