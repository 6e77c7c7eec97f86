// @vitest-environment happy-dom
import { render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionView } from '../../src/shared/api.js';
import { ConnectionsPage } from '../../src/web/pages/ConnectionsPage.js';
import { Router } from '../../src/web/router.js';
import { fakeApi } from './fake-api.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

const connection = (overrides: Partial<ConnectionView>): ConnectionView => ({
  id: 'c1',
  profile: 'fapi2-dpop',
  profileTitle: 'FAPI 2.0 with DPoP',
  clientAuth: 'private_key_jwt',
  interactionId: 'i1',
  status: 'active',
  consentId: 'aac-1',
  createdAt: '2025-06-30T09:00:00Z',
  updatedAt: '2025-06-30T09:00:00Z',
  payments: [],
  ...overrides,
});

function renderHome() {
  return render(
    <Router>
      <ConnectionsPage />
    </Router>,
  );
}

describe('Home: where to start', () => {
  it('lists onboard → connect → inspect → break it → rules, with links, and nothing done yet', async () => {
    const api = fakeApi();
    api.answer('GET', '/connections', { body: { connections: [] } });
    api.answer('GET', '/onboarding', { body: { status: 'not-started', steps: [], registrations: [] } });
    renderHome();
    const path = await screen.findByTestId('start-here');
    const links = within(path).getAllByRole('link');
    expect(links.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['Onboard', '/onboarding'],
      ['Connect', '/connect'],
      ['Inspect', '/connect'],
      ['Break it', '/connect'],
      ['Rules', '/rules'],
    ]);
    expect(path.querySelectorAll('li[data-done="true"]')).toHaveLength(0);
  });

  it('marks onboarding and connecting done, and points inspect and break it at the connection', async () => {
    const api = fakeApi();
    api.answer('GET', '/connections', { body: { connections: [connection({})] } });
    api.answer('GET', '/onboarding', { body: { status: 'done', steps: [], registrations: [] } });
    renderHome();
    await waitFor(() => expect(screen.getByTestId('start-onboard').dataset.done).toBe('true'));
    expect(screen.getByTestId('start-connect').dataset.done).toBe('true');
    expect(within(screen.getByTestId('start-break-it')).getByRole('link').getAttribute('href')).toBe(
      '/connections/c1/inspector',
    );
  });
});

describe('Home: connection cards', () => {
  it('tell connections apart: profile, client auth, start time, consent and status', async () => {
    const api = fakeApi();
    api.answer('GET', '/connections', {
      body: {
        connections: [
          connection({
            sharedAccounts: [
              {
                accountId: '70000101',
                nickname: 'Everyday',
                currency: 'GBP',
                identification: [
                  { schemeName: 'UK.OBIE.SortCodeAccountNumber', identification: '60161331926819' },
                ],
              },
              { accountId: '70000102', nickname: 'Rainy day', currency: 'GBP' },
            ],
          }),
          connection({
            id: 'c2',
            profileTitle: 'FAPI 1.0 Advanced',
            clientAuth: 'tls_client_auth',
            status: 'authorising',
            consentId: undefined,
          }),
        ],
      },
    });
    api.answer('GET', '/onboarding', { body: { status: 'done', steps: [], registrations: [] } });
    renderHome();
    const [live, pending] = await screen.findAllByTestId('connection');
    expect(live!.textContent).toMatch(
      /FAPI 2\.0 with DPoP.*private_key_jwt.*started .*consent aac-1.*Connected/,
    );
    expect(pending!.textContent).toMatch(/FAPI 1\.0 Advanced.*tls_client_auth.*Waiting for the bank/);
    expect(within(live!).getByTestId('shared-accounts').textContent).toBe(
      'Shares Everyday (Sort code 60-16-13 · Account 31926819), Rainy day',
    );
    expect(within(pending!).queryByTestId('shared-accounts')).toBeNull();
  });

  it('removes a connection only after the learner confirms, with DELETE, and lists the rest', async () => {
    const api = fakeApi();
    let connections = [connection({}), connection({ id: 'c2', status: 'authorising' })];
    api.answer('GET', '/connections', () => ({ body: { connections } }));
    api.answer('GET', '/onboarding', { body: { status: 'done', steps: [], registrations: [] } });
    api.answer('DELETE', '/connections/c2', () => {
      connections = connections.filter((c) => c.id !== 'c2');
      return { status: 204, body: '' };
    });
    renderHome();
    const cards = await screen.findAllByTestId('connection');
    await userEvent.click(within(cards[1]!).getByTestId('remove'));
    expect(api.calls.some((c) => c.method === 'DELETE')).toBe(false);
    expect(within(cards[1]!).getByRole('status').textContent).toMatch(/Remove it from this list\?/);
    await userEvent.click(within(cards[1]!).getByTestId('remove-confirm'));
    await waitFor(() => expect(screen.getAllByTestId('connection')).toHaveLength(1));
    expect(api.calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/connections/c2']);
  });

  it('says a live connection is disconnected before it is removed', async () => {
    const api = fakeApi();
    api.answer('GET', '/connections', { body: { connections: [connection({})] } });
    api.answer('GET', '/onboarding', { body: { status: 'done', steps: [], registrations: [] } });
    renderHome();
    const [card] = await screen.findAllByTestId('connection');
    await userEvent.click(within(card!).getByTestId('remove'));
    expect(within(card!).getByRole('status').textContent).toMatch(/disconnects first/);
    await userEvent.click(within(card!).getByRole('button', { name: 'Keep it' }));
    expect(within(card!).getByTestId('remove')).toBeTruthy();
  });
});
