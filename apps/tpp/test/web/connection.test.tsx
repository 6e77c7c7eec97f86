// @vitest-environment happy-dom
import { render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionView } from '../../src/shared/api.js';
import { ConnectionPage } from '../../src/web/pages/ConnectionPage.js';
import { Router } from '../../src/web/router.js';
import { fakeApi } from './fake-api.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

const connection: ConnectionView = {
  id: 'c1',
  profile: 'fapi2-mtls',
  profileTitle: 'FAPI 2.0 + mTLS',
  clientAuth: 'tls_client_auth',
  clientId: 'client-1',
  interactionId: '3f1c1d6e-1111-4222-8333-444455556666',
  status: 'active',
  consentId: 'aac-1',
  createdAt: '2025-06-30T09:00:00Z',
  updatedAt: '2025-06-30T09:00:00Z',
  payments: [],
};

function setup() {
  const api = fakeApi();
  let current = connection;
  api.answer('GET', '/connections/c1', () => ({ body: current }));
  api.answer('GET', '/connections/c1/accounts', {
    body: {
      accounts: [
        {
          accountId: 'acc-1',
          nickname: 'Everyday',
          currency: 'GBP',
          accountSubType: 'CurrentAccount',
          identification: [{ schemeName: 'UK.OBIE.SortCodeAccountNumber', identification: '40400412345678' }],
        },
        { accountId: 'acc-2', nickname: 'Rainy day', currency: 'GBP', accountSubType: 'Savings' },
      ],
    },
  });
  api.answer('GET', '/connections/c1/accounts/acc-1/balances', {
    body: {
      balances: [
        {
          type: 'InterimBooked',
          amount: '1234.56',
          currency: 'GBP',
          creditDebitIndicator: 'Credit',
          dateTime: '2025-06-30T09:00:00Z',
        },
      ],
    },
  });
  api.answer('GET', '/connections/c1/accounts/acc-1/transactions', {
    body: {
      transactions: [
        {
          transactionId: 't1',
          amount: '4.20',
          currency: 'GBP',
          creditDebitIndicator: 'Debit',
          status: 'Booked',
          bookingDateTime: '2025-06-29T08:00:00Z',
          description: 'Coffee',
        },
        {
          transactionId: 't2',
          amount: '2000.00',
          currency: 'GBP',
          creditDebitIndicator: 'Credit',
          status: 'Booked',
          bookingDateTime: '2025-06-28T08:00:00Z',
          description: 'Salary',
        },
      ],
    },
  });
  api.answer('GET', '/connections/c1/accounts/acc-2/balances', {
    status: 403,
    body: {
      error: 'access_denied',
      error_description: 'The consent does not cover this account',
      party: 'bank-api',
      status: 403,
      step: 'Read balances',
    },
  });
  api.answer('GET', '/connections/c1/accounts/acc-2/transactions', { body: { transactions: [] } });
  api.answer('POST', '/connections/c1/disconnect', () => {
    current = { ...connection, status: 'disconnected' };
    return { body: { connection: current, oldTokenStatus: 401 } };
  });
  render(
    <Router>
      <ConnectionPage id="c1" />
    </Router>,
  );
  return api;
}

describe('Connection page', () => {
  it('lists the accounts and shows the first one’s balance and transactions', async () => {
    setup();
    const list = await screen.findByTestId('account-list');
    expect(
      within(list)
        .getAllByTestId('account')
        .map((b) => b.dataset.accountId),
    ).toEqual(['acc-1', 'acc-2']);
    expect(within(list).getByText(/Sort code 40-40-04 · Account 12345678/)).toBeTruthy();
    expect((await screen.findByTestId('balance')).textContent).toBe('£1,234.56');
    const rows = within(await screen.findByTestId('transactions')).getAllByTestId('transaction');
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringMatching(/Coffee.*−£4\.20/),
      expect.stringMatching(/Salary.*£2,000\.00/),
    ]);
  });

  it('shows the API’s refusal for another account instead of an empty panel', async () => {
    setup();
    const buttons = within(await screen.findByTestId('account-list')).getAllByTestId('account');
    await userEvent.click(buttons[1]!);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/The bank’s API refused/);
    expect(alert.textContent).toMatch(/does not cover this account/);
    expect(buttons[1]!.getAttribute('aria-pressed')).toBe('true');
  });

  it('disconnects and says the API now refuses the old token', async () => {
    setup();
    await userEvent.click(await screen.findByTestId('disconnect-button'));
    const result = await screen.findByTestId('disconnect-result');
    expect(result.dataset.oldTokenStatus).toBe('401');
    await waitFor(() => expect(screen.getByTestId('connection-status').dataset.status).toBe('disconnected'));
    expect(screen.queryByTestId('disconnect-button')).toBeNull();
    expect(screen.queryByTestId('account-list')).toBeNull();
  });
});
