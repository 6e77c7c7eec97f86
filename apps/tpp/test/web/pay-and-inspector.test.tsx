// @vitest-environment happy-dom
import { render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionTrace, TimelineEntry } from '../../src/shared/timeline.js';
import { InspectorView } from '../../src/web/pages/InspectorPage.js';
import { PayPage } from '../../src/web/pages/PayPage.js';
import { Router } from '../../src/web/router.js';
import { fakeApi } from './fake-api.js';
import { paymentView } from './payment-fixture.js';

afterEach(() => {
  vi.unstubAllGlobals();
  window.history.replaceState(null, '', '/');
});

describe('Pay page', () => {
  it('sends the payment request and takes the customer to the bank', async () => {
    const api = fakeApi();
    api.answer('POST', '/connections/c1/payments', {
      status: 201,
      body: { payment: { id: 'p1' }, authorizationUrl: 'https://bank.localhost:9443/auth?request_uri=urn:p' },
    });
    const redirect = vi.fn();
    render(
      <Router>
        <PayPage id="c1" redirect={redirect} />
      </Router>,
    );
    const form = screen.getByTestId('payment-form');
    await userEvent.type(within(form).getByLabelText('Payee name'), 'Bob Builder');
    await userEvent.type(within(form).getByLabelText('Sort code'), '20-00-00');
    await userEvent.type(within(form).getByLabelText('Account number'), '55779911');
    expect(within(form).getByTestId('payment-creditor').textContent).toBe(
      'Pays Sort code 20-00-00 · Account 55779911',
    );
    await userEvent.type(within(form).getByLabelText('Amount (£)'), '12.50');
    await userEvent.type(within(form).getByLabelText('Reference'), 'Lunch');
    await userEvent.click(screen.getByTestId('payment-submit'));
    await waitFor(() =>
      expect(redirect).toHaveBeenCalledWith('https://bank.localhost:9443/auth?request_uri=urn:p'),
    );
    expect(api.calls.at(-1)?.body).toEqual({
      payeeName: 'Bob Builder',
      sortCode: '20-00-00',
      accountNumber: '55779911',
      amount: '12.50',
      reference: 'Lunch',
    });
  });

  it('shows the validation error the back end answers', async () => {
    const api = fakeApi();
    api.answer('POST', '/connections/c1/payments', {
      status: 400,
      body: {
        error: 'invalid_request',
        error_description:
          'amount: an amount has two decimal places, e.g. 12.50. Fix: correct the field and send again.',
      },
    });
    const redirect = vi.fn();
    render(
      <Router>
        <PayPage id="c1" redirect={redirect} />
      </Router>,
    );
    const form = screen.getByTestId('payment-form');
    for (const [label, value] of [
      ['Payee name', 'Bob'],
      ['Sort code', '200000'],
      ['Account number', '55779911'],
      ['Amount (£)', '12.5'],
      ['Reference', 'Lunch'],
    ] as const) {
      await userEvent.type(within(form).getByLabelText(label), value);
    }
    await userEvent.click(screen.getByTestId('payment-submit'));
    expect((await screen.findByRole('alert')).textContent).toMatch(/two decimal places/);
    expect(redirect).not.toHaveBeenCalled();
  });

  it('shows the result of a payment the bank accepted, after the redirect back', async () => {
    window.history.replaceState(null, '', '/connections/c1/pay?payment=p1');
    const api = fakeApi();
    api.answer('GET', '/connections/c1/payments/p1', { body: paymentView('submitted') });
    render(
      <Router>
        <PayPage id="c1" />
      </Router>,
    );
    const result = await screen.findByTestId('payment-result');
    expect(result.dataset.status).toBe('submitted');
    expect(screen.getByTestId('payment-bank-status').textContent).toBe('AcceptedSettlementCompleted');
    expect(result.textContent).toMatch(/£12\.50/);
    expect(within(result).getByTestId('payment-creditor').textContent).toBe(
      'Sort code 20-00-00 · Account 55779911',
    );
    expect(screen.queryByTestId('payment-form')).toBeNull();
  });
});

const entry = (overrides: Partial<TimelineEntry>): TimelineEntry => ({
  id: overrides.title ?? 'x',
  at: '2025-06-30T09:00:00.000Z',
  interactionId: 'i1',
  channel: 'back',
  from: 'tpp',
  to: 'bank-op',
  title: 'x',
  jwts: [],
  checks: [],
  reportedBy: ['tpp'],
  phase: 'connect',
  ...overrides,
});

const trace: ConnectionTrace = {
  connectionId: 'c1',
  interactionId: 'i1',
  unavailable: [{ party: 'directory', error: 'ECONNREFUSED' }],
  entries: [
    entry({
      title: 'Push the authorization request (PAR)',
      method: 'POST',
      url: 'https://bank.localhost:9443/request',
      status: 201,
      explanation: 'The parameters go over the back channel.',
      clause: 'RFC 9126 §2',
    }),
    entry({
      title: 'Send the customer to the bank',
      channel: 'front',
      to: 'browser',
      at: '2025-06-30T09:00:01.000Z',
    }),
    entry({
      title: 'Read accounts',
      to: 'bank-api',
      method: 'GET',
      url: 'https://api.bank.localhost:9543/open-banking/v3.1/aisp/accounts',
      status: 200,
      requestHeaders: { authorization: 'DPoP eyJhbGci…', dpop: 'eyJ0eXAi…' },
      at: '2025-06-30T09:00:02.000Z',
      reportedBy: ['tpp', 'bank-api'],
      checks: [
        {
          name: 'DPoP proof ath matches the token',
          passed: true,
          clause: 'RFC 9449 §4.3',
          detail: 'ath ok',
          by: 'bank-api',
        },
      ],
      jwts: [
        { where: 'DPoP proof', header: { typ: 'dpop+jwt', alg: 'ES256' }, claims: { htm: 'GET' }, by: 'tpp' },
      ],
      binding: { kind: 'dpop', presented: 'jkt-123', cnf: { jkt: 'jkt-123' }, matches: true },
    }),
    entry({
      title: 'Check the authorization response',
      channel: 'internal',
      to: 'tpp',
      at: '2025-06-30T09:00:03.000Z',
      checks: [
        {
          name: 'iss is the bank',
          passed: false,
          clause: 'RFC 9207 §2.4',
          detail: 'iss https://attacker',
          by: 'tpp',
        },
      ],
    }),
  ],
};

describe('Flow inspector', () => {
  it('lists every message in the timeline and draws one arrow per message', () => {
    render(
      <Router>
        <InspectorView trace={trace} exportHref="/api/connections/c1/trace/export" backTo="/connections/c1" />
      </Router>,
    );
    const entries = screen.getAllByTestId('timeline-entry');
    expect(entries.map((e) => e.textContent)).toEqual([
      expect.stringContaining('Push the authorization request (PAR)'),
      expect.stringContaining('Send the customer to the bank'),
      expect.stringContaining('Read accounts'),
      expect.stringContaining('Check the authorization response'),
    ]);
    expect(entries.map((e) => e.dataset.outcome)).toEqual(['ok', 'info', 'ok', 'failed']);
    expect(within(screen.getByTestId('sequence-diagram')).getAllByTestId('sequence-message')).toHaveLength(4);
    expect(screen.getByTestId('export-trace').getAttribute('href')).toBe('/api/connections/c1/trace/export');
    expect(screen.getByRole('alert').textContent).toMatch(/Directory’s trace could not be read/);
  });

  it('shows the selected message in full: explanation and clause, checks, decoded JWTs, key beside cnf', async () => {
    render(
      <Router>
        <InspectorView trace={trace} backTo="/connections/c1" />
      </Router>,
    );
    expect(screen.getByTestId('timeline-detail').textContent).toMatch(
      /The parameters go over the back channel\.\s*RFC 9126 §2/,
    );
    await userEvent.click(screen.getAllByTestId('timeline-entry')[2]!);
    const detail = screen.getByTestId('timeline-detail');
    expect(within(detail).getByRole('heading', { level: 2 }).textContent).toBe('Read accounts');
    expect(within(detail).getByTestId('timeline-checks').textContent).toMatch(
      /DPoP proof ath matches the token/,
    );
    expect(within(detail).getByTestId('timeline-binding').dataset.matches).toBe('true');
    expect(detail.textContent).toMatch(/They match/);
    expect(detail.textContent).toMatch(/"typ": "dpop\+jwt"/);
    expect(screen.getAllByTestId('timeline-entry')[2]!.getAttribute('aria-pressed')).toBe('true');
  });
});
