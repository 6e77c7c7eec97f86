// @vitest-environment happy-dom
// "Send it again (same idempotency key)" on a submitted payment: the button, why it exists, and what the
// bank answered, announced in a live region.
import { render, screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PaymentView } from '../../src/shared/api.js';
import { PayPage } from '../../src/web/pages/PayPage.js';
import { Router } from '../../src/web/router.js';
import { fakeApi } from './fake-api.js';
import { paymentView } from './payment-fixture.js';

afterEach(() => {
  vi.unstubAllGlobals();
  window.history.replaceState(null, '', '/');
});

function showPayment(status: PaymentView['status']) {
  window.history.replaceState(null, '', '/connections/c1/pay?payment=p1');
  const api = fakeApi();
  api.answer('GET', '/connections/c1/payments/p1', { body: paymentView(status) });
  render(
    <Router>
      <PayPage id="c1" />
    </Router>,
  );
  return api;
}

describe('Send it again (same idempotency key)', () => {
  it('sends the submitted payment again and announces that the bank answered with the same payment', async () => {
    const api = showPayment('submitted');
    api.answer('POST', '/connections/c1/payments/p1/resubmit', {
      body: {
        payment: paymentView('submitted'),
        domesticPaymentId: 'dp-1',
        samePayment: true,
        message: 'The bank answered with the same payment dp-1: nothing was paid twice (UK OB idempotency)',
      },
    });
    const button = await screen.findByRole('button', { name: /Send it again \(same idempotency key\)/ });
    expect(button.getAttribute('aria-describedby')).toBe('resend-payment-why');
    expect(screen.getByText(/same x-idempotency-key/).id).toBe('resend-payment-why');
    await userEvent.click(button);
    const live = screen.getByTestId('resend-payment-live');
    expect(live.getAttribute('aria-live')).toBe('polite');
    const result = await within(live).findByTestId('resend-payment-result');
    expect(result.textContent).toBe(
      'The bank answered with the same payment dp-1: nothing was paid twice (UK OB idempotency)',
    );
    expect(result.dataset.samePayment).toBe('true');
    expect(api.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      '/connections/c1/payments/p1/resubmit',
    ]);
  });

  it('shows the refusal with its clause and fix when the bank does not take it', async () => {
    const api = showPayment('submitted');
    api.answer('POST', '/connections/c1/payments/p1/resubmit', {
      status: 401,
      body: {
        error: 'invalid_token',
        error_description:
          'The access token has expired (RFC 6750 §3.1). Fix: refresh the token or authorise the payment again.',
        party: 'bank-api',
        step: 'Send the payment again (same idempotency key)',
      },
    });
    await userEvent.click(await screen.findByRole('button', { name: /Send it again/ }));
    const live = screen.getByTestId('resend-payment-live');
    const alert = await within(live).findByRole('alert');
    expect(within(alert).getByTestId('error-code').textContent).toBe('invalid_token');
    expect(alert.textContent).toMatch(/RFC 6750 §3\.1\)\. Fix: refresh the token/);
  });

  it('is not offered for a payment the customer has not authorised', async () => {
    showPayment('authorising');
    await screen.findByTestId('payment-result');
    expect(screen.queryByRole('button', { name: /Send it again/ })).toBeNull();
  });
});
