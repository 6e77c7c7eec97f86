// @vitest-environment happy-dom
import { render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { clientAuthViews, profileViews } from '../../src/routes/views.js';
import { ConnectPage } from '../../src/web/pages/ConnectPage.js';
import { Router } from '../../src/web/router.js';
import { fakeApi } from './fake-api.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

function setup() {
  const api = fakeApi();
  api.answer('GET', '/profiles', {
    body: { profiles: profileViews(), clientAuthMethods: clientAuthViews() },
  });
  const redirect = vi.fn();
  render(
    <Router>
      <ConnectPage redirect={redirect} />
    </Router>,
  );
  return { api, redirect };
}

/** The TPP answers a connection start by echoing it, with the bank's authorization URL. */
function answersStart(api: ReturnType<typeof fakeApi>) {
  api.answer('POST', '/connections', (body) => ({
    status: 201,
    body: {
      connection: { id: 'c1', ...(body as object) },
      authorizationUrl: 'https://bank.localhost:9443/auth',
    },
  }));
}

describe('Connect page', () => {
  it('offers the four profiles and two client authentications in plain words, FAPI 2.0 + DPoP first', async () => {
    setup();
    const profileGroup = await screen.findByRole('group', { name: 'Security profile' });
    const profiles = within(profileGroup).getAllByRole('radio');
    expect(profiles.map((p) => (p as HTMLInputElement).value)).toEqual([
      'fapi2-dpop',
      'fapi2-mtls',
      'fapi1-advanced',
      'fapi2-dpop-opaque',
      'fapi1-baseline',
    ]);
    expect((screen.getByTestId('profile-fapi2-dpop') as HTMLInputElement).checked).toBe(true);
    const authGroup = screen.getByRole('group', { name: 'How Moneywise proves who it is' });
    expect(
      within(authGroup)
        .getAllByRole('radio')
        .map((r) => (r as HTMLInputElement).value),
    ).toEqual(['private_key_jwt', 'tls_client_auth']);
    expect(screen.getByText(/a stolen token is useless on its own/)).toBeTruthy();
    expect(screen.getByTestId('client-auth-tls_client_auth')).toBeTruthy();
  });

  it('shows what each rung of the ladder Baseline, Advanced, 2.0 adds and the attack it stops', async () => {
    setup();
    const ladder = await screen.findByRole('region', { name: /Baseline → Advanced → 2.0/ });
    const rows = within(ladder).getAllByRole('row').slice(1);
    expect(rows.map((row) => within(row).getByRole('rowheader').textContent)).toEqual([
      'FAPI 1.0 Advanced',
      'FAPI 1.0 Advanced',
      'FAPI 1.0 Advanced',
      'FAPI 2.0',
      'FAPI 2.0',
      'FAPI 2.0',
    ]);
    expect(within(ladder).getByText(/Replay of a stolen token: without the private key/)).toBeTruthy();
    expect(within(ladder).getByText(/attack: token-without-binding/)).toBeTruthy();
  });

  it('starts the chosen connection and sends the browser to the bank', async () => {
    const { api, redirect } = setup();
    api.answer('POST', '/connections', (body) => ({
      status: 201,
      body: {
        connection: { id: 'c1', ...(body as object) },
        authorizationUrl: 'https://bank.localhost:9443/auth?client_id=x&request_uri=urn:1',
      },
    }));
    await userEvent.click(await screen.findByTestId('profile-fapi1-advanced'));
    await userEvent.click(screen.getByTestId('client-auth-tls_client_auth'));
    await userEvent.click(screen.getByTestId('connect-button'));
    await waitFor(() =>
      expect(redirect).toHaveBeenCalledWith('https://bank.localhost:9443/auth?client_id=x&request_uri=urn:1'),
    );
    expect(api.calls.find((c) => c.method === 'POST')?.body).toEqual({
      profile: 'fapi1-advanced',
      clientAuth: 'tls_client_auth',
    });
  });

  it('asks for the ID token encrypted, and the request object too, when the learner ticks those options', async () => {
    const { api, redirect } = setup();
    answersStart(api);
    const idToken = await screen.findByRole('checkbox', { name: /Encrypt the ID token \(JWE\)/ });
    expect(idToken.closest('label')?.textContent).toContain('OIDC Core §10.2');
    await userEvent.click(idToken);
    await userEvent.click(screen.getByRole('checkbox', { name: /Encrypt the request object \(JWE\)/ }));
    await userEvent.click(screen.getByTestId('connect-button'));
    await waitFor(() => expect(redirect).toHaveBeenCalled());
    expect(api.calls.find((c) => c.method === 'POST')?.body).toEqual({
      profile: 'fapi2-dpop',
      clientAuth: 'private_key_jwt',
      encryptRequestObject: true,
      encryptIdToken: true,
    });
  });

  it('offers the JARM response encrypted only with FAPI 1.0 Advanced, and sends it only there', async () => {
    const { api, redirect } = setup();
    answersStart(api);
    await screen.findByTestId('profile-fapi2-dpop');
    // FAPI 2.0 answers in the query (code, state, iss): no JARM response to encrypt.
    expect(screen.queryByTestId('option-encrypt-jarm')).toBeNull();
    await userEvent.click(screen.getByTestId('profile-fapi1-advanced'));
    const jarm = screen.getByRole('checkbox', { name: /Encrypt the JARM response \(JWE\)/ });
    expect(jarm.closest('label')?.textContent).toContain('JARM §2.2');
    await userEvent.click(jarm);
    await userEvent.click(screen.getByTestId('connect-button'));
    await waitFor(() => expect(redirect).toHaveBeenCalled());
    expect(api.calls.find((c) => c.method === 'POST')?.body).toEqual({
      profile: 'fapi1-advanced',
      clientAuth: 'private_key_jwt',
      encryptJarm: true,
    });
  });

  it('drops the ticked JARM option when the learner then picks a profile without JARM', async () => {
    const { api, redirect } = setup();
    answersStart(api);
    await userEvent.click(await screen.findByTestId('profile-fapi1-advanced'));
    await userEvent.click(screen.getByTestId('option-encrypt-jarm'));
    await userEvent.click(screen.getByTestId('profile-fapi2-mtls'));
    expect(screen.queryByTestId('option-encrypt-jarm')).toBeNull();
    await userEvent.click(screen.getByTestId('connect-button'));
    await waitFor(() => expect(redirect).toHaveBeenCalled());
    expect(api.calls.find((c) => c.method === 'POST')?.body).toEqual({
      profile: 'fapi2-mtls',
      clientAuth: 'private_key_jwt',
    });
  });

  it('shows the bank’s refusal with its description and stays on the page', async () => {
    const { api, redirect } = setup();
    api.answer('POST', '/connections', {
      status: 502,
      body: {
        error: 'invalid_client',
        error_description:
          'Push the authorization request (PAR): the bank-op answered 401 invalid_client — client authentication failed',
        party: 'bank-op',
        step: 'Push the authorization request (PAR)',
        status: 401,
      },
    });
    await userEvent.click(await screen.findByTestId('connect-button'));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/Moneywise could not start the connection/);
    expect(alert.textContent).toMatch(/invalid_client/);
    expect(alert.textContent).toMatch(/client authentication failed/);
    expect(redirect).not.toHaveBeenCalled();
    expect((screen.getByTestId('connect-button') as HTMLButtonElement).disabled).toBe(false);
  });
});
