// @vitest-environment happy-dom
import { render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { OnboardingView } from '../../src/shared/api.js';
import { OnboardingPage } from '../../src/web/pages/OnboardingPage.js';
import { Router } from '../../src/web/router.js';
import { fakeApi } from './fake-api.js';

const software = {
  orgId: 'org',
  orgName: 'Moneywise Ltd',
  softwareId: 'Mw3',
  clientName: 'Moneywise',
  roles: ['AISP', 'PISP'],
};
const step = (
  id: OnboardingView['steps'][number]['id'],
  status: OnboardingView['steps'][number]['status'],
  extra = {},
) => ({
  id,
  title: `Step ${id}`,
  status,
  explanation: `Why ${id} matters`,
  clause: 'RFC 7591 §3.1',
  ...extra,
});
const notStarted: OnboardingView = {
  status: 'not-started',
  software,
  steps: [
    step('ssa', 'pending'),
    step('ssa-verify', 'pending'),
    step('participants', 'pending'),
    step('discovery', 'pending'),
    step('register', 'pending'),
  ],
  registrations: [],
};

afterEach(() => {
  vi.unstubAllGlobals();
});

function renderPage() {
  return render(
    <Router>
      <OnboardingPage />
    </Router>,
  );
}

describe('Onboarding page', () => {
  it('shows every step with its explanation and clause before anything ran', async () => {
    const api = fakeApi();
    api.answer('GET', '/onboarding', { body: notStarted });
    renderPage();
    const steps = await screen.findAllByTestId(/^onboarding-step-/);
    expect(steps).toHaveLength(5);
    expect(steps.map((s) => s.dataset.status)).toEqual([
      'pending',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    expect(within(steps[0]!).getByText(/Why ssa matters/)).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Onboard with the directory' })).toBeTruthy();
  });

  it('runs onboarding on click and shows each step done and the registrations', async () => {
    const api = fakeApi();
    api.answer('GET', '/onboarding', { body: notStarted });
    api.answer('POST', '/onboarding', {
      body: {
        ...notStarted,
        status: 'done',
        interactionId: 'a2b5f7a0-0000-4000-8000-000000000000',
        bank: { name: 'Sandbox Bank', issuer: 'https://bank.localhost:9443' },
        steps: notStarted.steps.map((s) => ({ ...s, status: 'done', detail: `${s.id} detail` })),
        registrations: [
          {
            profile: 'fapi2-dpop',
            clientAuth: 'private_key_jwt',
            clientId: 'client-123',
            registeredAt: '2025-01-01T00:00:00Z',
            outcome: 'registered',
          },
        ],
      } satisfies OnboardingView,
    });
    renderPage();
    await userEvent.click(await screen.findByTestId('onboard-button'));
    await waitFor(() => expect(screen.getByTestId('onboarding-status').dataset.status).toBe('done'));
    expect(screen.getAllByTestId(/^onboarding-step-/).map((s) => s.dataset.status)).toEqual([
      'done',
      'done',
      'done',
      'done',
      'done',
    ]);
    expect(within(screen.getByTestId('registrations')).getByText('client-123')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Run onboarding again' })).toBeTruthy();
    expect(api.calls.filter((c) => c.method === 'POST')).toHaveLength(1);
  });

  it('shows the party’s error and description on the failed step, and skipped steps after it', async () => {
    const api = fakeApi();
    api.answer('GET', '/onboarding', {
      body: {
        ...notStarted,
        status: 'failed',
        steps: [
          step('ssa', 'failed', {
            error: {
              error: 'access_denied',
              error_description: 'The transport certificate is revoked (RFC 8705 §2). Fix: get a new one.',
              party: 'directory',
              status: 403,
              step: 'Fetch the software statement (SSA)',
            },
          }),
          step('ssa-verify', 'skipped'),
          step('participants', 'skipped'),
          step('discovery', 'skipped'),
          step('register', 'skipped'),
        ],
      } satisfies OnboardingView,
    });
    renderPage();
    const failed = await screen.findByTestId('onboarding-step-ssa');
    expect(failed.dataset.status).toBe('failed');
    const alert = within(failed).getByRole('alert');
    expect(alert.textContent).toMatch(/The directory refused/);
    expect(within(alert).getByTestId('error-code').textContent).toBe('access_denied');
    expect(within(alert).getByTestId('error-description').textContent).toMatch(/revoked \(RFC 8705 §2\)/);
    expect(screen.getByTestId('onboarding-step-register').dataset.status).toBe('skipped');
  });

  it('says so when the TPP itself cannot be reached, instead of a blank page', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))),
    );
    renderPage();
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/could not be reached/);
  });
});
