// @vitest-environment happy-dom
// The pay page's choice between a UK intent and a rich authorization request (RFC 9396), offered to
// FAPI 2.0 connections only, and the inspector's contrast of the two once a payment was made.
import { render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionTrace } from '../../src/shared/timeline.js';
import { InspectorView } from '../../src/web/pages/InspectorPage.js';
import { PayPage } from '../../src/web/pages/PayPage.js';
import { Router } from '../../src/web/router.js';
import { fakeApi } from './fake-api.js';
import { timelineEntry } from './timeline-entry.js';

afterEach(() => {
  vi.unstubAllGlobals();
  window.history.replaceState(null, '', '/');
});

async function fillPayment() {
  const form = screen.getByTestId('payment-form');
  for (const [label, value] of [
    ['Payee name', 'Bob Builder'],
    ['Sort code', '20-00-00'],
    ['Account number', '55779911'],
    ['Amount (£)', '12.50'],
    ['Reference', 'Lunch'],
  ] as const) {
    await userEvent.type(within(form).getByLabelText(label), value);
  }
  return form;
}

function payPage(profile: string) {
  const api = fakeApi();
  api.answer('GET', '/connections/c1', { body: { id: 'c1', profile, status: 'active' } });
  api.answer('POST', '/connections/c1/payments', {
    status: 201,
    body: {
      payment: { id: 'p1' },
      authorizationUrl: 'https://bank.localhost:9443/authorize?request_uri=urn:p',
    },
  });
  const redirect = vi.fn();
  render(
    <Router>
      <PayPage id="c1" redirect={redirect} />
    </Router>,
  );
  return { api, redirect };
}

describe('Pay page: how the bank asks the customer', () => {
  it('offers a FAPI 2.0 connection the rich authorization request and sends the choice', async () => {
    const { api, redirect } = payPage('fapi2-dpop');
    const choice = await screen.findByTestId('payment-authorization');
    const intent = within(choice).getByLabelText('UK intent (consent created at the bank API)');
    expect((intent as HTMLInputElement).checked).toBe(true);
    await fillPayment();
    await userEvent.click(within(choice).getByLabelText('Rich authorization request (details in the PAR)'));
    await userEvent.click(screen.getByTestId('payment-submit'));
    await waitFor(() => expect(redirect).toHaveBeenCalled());
    expect(api.calls.at(-1)?.body).toMatchObject({ authorization: 'authorization-details', amount: '12.50' });
  });

  it('sends an intent payment when the learner keeps the default', async () => {
    const { api, redirect } = payPage('fapi2-mtls');
    await screen.findByTestId('payment-authorization');
    await fillPayment();
    await userEvent.click(screen.getByTestId('payment-submit'));
    await waitFor(() => expect(redirect).toHaveBeenCalled());
    expect(api.calls.at(-1)?.body).toMatchObject({ authorization: 'intent' });
  });

  it('does not offer it to a FAPI 1.0 Advanced connection, whose bank grants no authorization_details', async () => {
    const { api, redirect } = payPage('fapi1-advanced');
    await waitFor(() => expect(api.calls.some((c) => c.path === '/connections/c1')).toBe(true));
    expect(screen.queryByTestId('payment-authorization')).toBeNull();
    await fillPayment();
    await userEvent.click(screen.getByTestId('payment-submit'));
    await waitFor(() => expect(redirect).toHaveBeenCalled());
    expect(api.calls.at(-1)?.body).not.toHaveProperty('authorization');
  });
});

describe('Inspector: intent and rich authorization request side by side', () => {
  const trace = (pushTitle: string): ConnectionTrace => ({
    connectionId: 'c1',
    interactionId: 'i1',
    unavailable: [],
    entries: [
      timelineEntry('e1', 'Push the authorization request (PAR)'),
      timelineEntry('e2', pushTitle, { phase: 'pay' }),
    ],
  });

  it('contrasts where the consent lives, who creates it, what the customer sees and what the token proves', () => {
    render(
      <Router>
        <InspectorView
          trace={trace('Push the payment itself as authorization_details (RAR)')}
          backTo="/connections/c1"
        />
      </Router>,
    );
    const table = screen.getByTestId('consent-models');
    for (const question of [
      'Where the consent lives',
      'Who creates it, and when',
      'What the customer sees',
      'What the token proves',
    ]) {
      expect(within(table).getByRole('rowheader', { name: question })).toBeTruthy();
    }
    expect(within(table).getAllByRole('button', { name: /RFC 9396 §7/ }).length).toBeGreaterThan(0);
    expect(screen.getByTestId('consent-model-used').textContent).toMatch(/rich authorization request/);
  });

  it('names the intent when the last payment was made with one', () => {
    render(
      <Router>
        <InspectorView trace={trace('Push the authorization request (PAR)')} backTo="/connections/c1" />
      </Router>,
    );
    expect(screen.getByTestId('consent-model-used').textContent).toMatch(/UK intent/);
  });

  it('is not shown before any payment', () => {
    render(
      <Router>
        <InspectorView
          trace={{ ...trace('x'), entries: [timelineEntry('e1', 'Push the authorization request (PAR)')] }}
          backTo="/connections/c1"
        />
      </Router>,
    );
    expect(screen.queryByTestId('consent-models')).toBeNull();
  });
});
