// @vitest-environment happy-dom
// Account access by a rich authorization request (RFC 9396) on the connect page (FAPI 2.0 only), and a
// connection page that shows what the customer granted, and relays bank-api's refusal of a read outside it.
import { render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clientAuthViews, profileViews } from '../../src/routes/views.js';
import type { ConnectionView } from '../../src/shared/api.js';
import { ConnectionPage } from '../../src/web/pages/ConnectionPage.js';
import { ConnectPage } from '../../src/web/pages/ConnectPage.js';
import { InspectorView } from '../../src/web/pages/InspectorPage.js';
import { Router } from '../../src/web/router.js';
import { fakeApi } from './fake-api.js';
import { timelineEntry } from './timeline-entry.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

function connectPage() {
  const api = fakeApi();
  api.answer('GET', '/profiles', {
    body: { profiles: profileViews(), clientAuthMethods: clientAuthViews() },
  });
  api.answer('POST', '/connections', (body) => ({
    status: 201,
    body: {
      connection: { id: 'c1', ...(body as object) },
      authorizationUrl: 'https://bank.localhost:9443/auth',
    },
  }));
  const redirect = vi.fn();
  render(
    <Router>
      <ConnectPage redirect={redirect} />
    </Router>,
  );
  return { api, redirect };
}

describe('Connect page: how account access is asked for', () => {
  it('pushes account_information actions, no intent, when the learner chooses a rich authorization request', async () => {
    const { api, redirect } = connectPage();
    const choice = await screen.findByRole('group', {
      name: 'How the bank asks you to approve account access',
    });
    expect((within(choice).getByTestId('authorization-intent') as HTMLInputElement).checked).toBe(true);
    expect(screen.queryByTestId('account-actions')).toBeNull();
    await userEvent.click(
      within(choice).getByLabelText(/Rich authorization request \(account_information details in the PAR\)/),
    );
    await userEvent.click(screen.getByTestId('action-read_transactions'));
    await userEvent.click(screen.getByTestId('connect-button'));
    await waitFor(() => expect(redirect).toHaveBeenCalledWith('https://bank.localhost:9443/auth'));
    expect(api.calls.find((c) => c.method === 'POST')?.body).toEqual({
      profile: 'fapi2-dpop',
      clientAuth: 'private_key_jwt',
      authorization: 'authorization-details',
      actions: ['list_accounts', 'read_balances'],
    });
  });

  it('cannot push an access with no action', async () => {
    connectPage();
    await userEvent.click(await screen.findByTestId('authorization-authorization-details'));
    for (const action of ['list_accounts', 'read_balances', 'read_transactions'])
      await userEvent.click(screen.getByTestId(`action-${action}`));
    expect((screen.getByTestId('connect-button') as HTMLButtonElement).disabled).toBe(true);
  });

  it('offers it to FAPI 2.0 only: a FAPI 1.0 Advanced connection is by UK intent', async () => {
    const { api, redirect } = connectPage();
    await userEvent.click(await screen.findByTestId('authorization-authorization-details'));
    await userEvent.click(screen.getByTestId('profile-fapi1-advanced'));
    expect(screen.queryByTestId('account-authorization')).toBeNull();
    await userEvent.click(screen.getByTestId('connect-button'));
    await waitFor(() => expect(redirect).toHaveBeenCalled());
    expect(api.calls.find((c) => c.method === 'POST')?.body).toEqual({
      profile: 'fapi1-advanced',
      clientAuth: 'private_key_jwt',
    });
  });
});

const granted: ConnectionView = {
  id: 'c1',
  profile: 'fapi2-dpop',
  profileTitle: 'FAPI 2.0 + DPoP',
  clientAuth: 'private_key_jwt',
  interactionId: '3f1c1d6e-1111-4222-8333-444455556666',
  status: 'active',
  authorizationDetails: [
    { type: 'account_information', actions: ['list_accounts', 'read_balances'], accounts: ['acc-1'] },
  ],
  createdAt: '2025-06-30T09:00:00Z',
  updatedAt: '2025-06-30T09:00:00Z',
  payments: [],
};

describe('Connection page of a connection by authorization_details', () => {
  it('shows the granted actions and accounts, and bank-api’s refusal of the transactions it was not granted', async () => {
    const api = fakeApi();
    api.answer('GET', '/connections/c1', { body: granted });
    api.answer('GET', '/connections/c1/accounts', {
      body: { accounts: [{ accountId: 'acc-1', nickname: 'Everyday', currency: 'GBP' }] },
    });
    api.answer('GET', '/connections/c1/accounts/acc-1/balances', {
      body: {
        balances: [
          {
            type: 'InterimBooked',
            amount: '10.00',
            currency: 'GBP',
            creditDebitIndicator: 'Credit',
            dateTime: '2025-06-30T09:00:00Z',
          },
        ],
      },
    });
    api.answer('GET', '/connections/c1/accounts/acc-1/transactions', {
      status: 502,
      body: {
        error: 'insufficient_scope',
        error_description:
          "The token's authorization_details do not grant read_transactions (RFC 9396 §7). Fix: push it.",
        party: 'bank-api',
        status: 403,
      },
    });
    render(
      <Router>
        <ConnectionPage id="c1" />
      </Router>,
    );
    const details = await screen.findByTestId('granted-details');
    expect(within(details).getByTestId('granted-actions').textContent).toBe(
      'list_accounts (list the accounts), read_balances (read their balances)',
    );
    expect(within(details).getByTestId('granted-accounts').textContent).toBe('acc-1');
    expect(details.textContent).toContain('RFC 9396 §7');
    const account = await screen.findByTestId('account-detail');
    await waitFor(() => expect(account.textContent).toContain('do not grant read_transactions'));
    expect(account.textContent).toContain('The bank’s API');
    expect(account.textContent).toContain('insufficient_scope');
  });

  it('shows no granted details for a connection by UK intent', async () => {
    const api = fakeApi();
    api.answer('GET', '/connections/c1', {
      body: { ...granted, authorizationDetails: undefined, consentId: 'aac-1' },
    });
    api.answer('GET', '/connections/c1/accounts', { body: { accounts: [] } });
    render(
      <Router>
        <ConnectionPage id="c1" />
      </Router>,
    );
    await screen.findByTestId('connection-status');
    expect(screen.queryByTestId('granted-details')).toBeNull();
  });
});

describe('Inspector of a connection by account_information details', () => {
  it('contrasts the intent with RAR for account access too, before any payment, naming the one used', () => {
    render(
      <Router>
        <InspectorView
          trace={{
            connectionId: 'c1',
            interactionId: 'i1',
            unavailable: [],
            entries: [
              timelineEntry('e1', 'Push the account access itself as authorization_details (RAR)'),
              timelineEntry('e2', 'Check the granted account access (authorization_details)'),
            ],
          }}
          backTo="/connections/c1"
        />
      </Router>,
    );
    const table = screen.getByTestId('consent-models');
    expect(
      within(table).getByRole('rowheader', { name: 'Account access: what Moneywise asks for' }),
    ).toBeTruthy();
    expect(
      within(table).getByRole('rowheader', { name: 'Account access: what the bank API answers' }),
    ).toBeTruthy();
    expect(screen.getByTestId('consent-model-accounts').textContent).toMatch(/rich authorization request/);
    expect(screen.queryByTestId('consent-model-used')).toBeNull();
  });
});
