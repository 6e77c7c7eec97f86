// @vitest-environment happy-dom
// A connection the bank has ended (its consent withdrawn or expired, its grant revoked): the badge says
// so, the page shows the bank's reason and fix, and offers to reconnect with the same profile. A read
// that fails because the bank just ended it updates the badge at once.
import { render, screen, waitFor } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ApiError, ConnectionView } from '../../src/shared/api.js';
import { ConnectionPage } from '../../src/web/pages/ConnectionPage.js';
import { Router } from '../../src/web/router.js';
import { fakeApi } from './fake-api.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

const REASON: ApiError = {
  error: 'invalid_grant',
  error_description:
    'Consent aac-1 is no longer authorised: it was revoked by the customer at 2025-06-30T10:00:00.000Z; the connection it authorised has ended (OB Read/Write API v3.1 section Consent, OIDC Core section 5.5). Fix: create a new consent and ask the customer to authorise it (connect again).',
  party: 'bank-op',
  step: 'Refresh the access token',
  status: 400,
};

const active: ConnectionView = {
  id: 'c1',
  profile: 'fapi2-dpop',
  profileTitle: 'FAPI 2.0 + DPoP',
  clientAuth: 'private_key_jwt',
  clientId: 'client-1',
  interactionId: '3f1c1d6e-1111-4222-8333-444455556666',
  status: 'active',
  consentId: 'aac-1',
  createdAt: '2025-06-30T09:00:00Z',
  updatedAt: '2025-06-30T09:00:00Z',
  payments: [],
};
const ended: ConnectionView = { ...active, status: 'ended', error: REASON };

function renderPage(redirect = vi.fn()) {
  render(
    <Router>
      <ConnectionPage id="c1" redirect={redirect} />
    </Router>,
  );
  return redirect;
}

describe('a connection the bank has ended', () => {
  it('says Ended, not Connected, with the bank’s reason and the fix', async () => {
    const api = fakeApi();
    api.answer('GET', '/connections/c1', { body: ended });
    renderPage();
    const badge = await screen.findByTestId('connection-status');
    expect(badge.dataset.status).toBe('ended');
    expect(badge.textContent).toBe('Ended by the bank');
    const panel = await screen.findByTestId('connection-ended');
    expect(panel.textContent).toMatch(/The bank ended this connection/);
    expect(panel.textContent).toMatch(/revoked by the customer/);
    expect(panel.textContent).toMatch(/Fix: create a new consent/);
    expect(screen.queryByTestId('account-list')).toBeNull();
    expect(screen.queryByTestId('disconnect-button')).toBeNull();
    expect(screen.queryByTestId('open-payment')).toBeNull();
  });

  it('reconnects with the same profile and client authentication, and goes to the bank', async () => {
    const api = fakeApi();
    api.answer('GET', '/connections/c1', { body: ended });
    api.answer('POST', '/connections', {
      status: 201,
      body: {
        connection: { ...active, id: 'c2', status: 'authorising' },
        authorizationUrl: 'https://bank/authorize?x',
      },
    });
    const redirect = renderPage();
    await userEvent.click(await screen.findByTestId('reconnect-button'));
    await waitFor(() => expect(redirect).toHaveBeenCalledWith('https://bank/authorize?x'));
    expect(api.calls.find((c) => c.method === 'POST')?.body).toEqual({
      profile: 'fapi2-dpop',
      clientAuth: 'private_key_jwt',
    });
  });

  it('updates the badge when a read fails because the bank has just ended the connection', async () => {
    const api = fakeApi();
    let current = active;
    api.answer('GET', '/connections/c1', () => ({ body: current }));
    api.answer('GET', '/connections/c1/accounts', () => {
      current = ended;
      return { status: 502, body: { ...REASON, party: 'bank-api', error: 'invalid_token' } };
    });
    renderPage();
    await waitFor(() => expect(screen.getByTestId('connection-status').dataset.status).toBe('ended'));
    expect((await screen.findByTestId('connection-ended')).textContent).toMatch(/revoked by the customer/);
  });
});
