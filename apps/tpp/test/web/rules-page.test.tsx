// @vitest-environment happy-dom
// The Rules page: every rule with its clause (a chip that opens the clause's text), requirement, what
// enforces it, the fix, the attacks that demonstrate it (linked to their description) and the
// certification modules; rules without an attack marked and counted; filters by profile and by text.

import { ATTACKS } from '@fapi-sandbox/fapi-client';
import { render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BankRules } from '../../src/rules/bank-rules.js';
import { buildRuleCatalogue } from '../../src/rules/catalogue.js';
import { RulesPage } from '../../src/web/pages/RulesPage.js';
import { Router } from '../../src/web/router.js';
import { fakeApi } from './fake-api.js';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** A few rules as the banks publish them, joined with the real attack catalogue. */
const BANKS: BankRules = {
  bankOp: [
    {
      profile: 'fapi2',
      id: 'code-single-use',
      clause: 'RFC 6749 §4.1.2',
      requirement: 'An authorization code is redeemed once',
      enforcedBy: { by: 'oidc-provider', setting: 'authorization code consumption' },
      fix: 'redeem each code once',
      conformance: ['fapi2-security-profile-final-ensure-authorization-code-is-bound-to-client'],
    },
    {
      profile: 'fapi2',
      id: 'no-password-grant',
      clause: 'FAPI 2.0 SP §5.3.2.1-2',
      requirement: 'Reject the resource owner password credentials grant',
      enforcedBy: { by: 'oidc-provider', setting: 'grant types' },
      fix: 'use the authorization code flow with PAR',
      conformance: [],
    },
    {
      profile: 'fapi1-advanced',
      id: 'request-object-signature',
      clause: 'FAPI 1.0 Adv §5.2.2-1',
      requirement: 'Request objects are signed by the client',
      enforcedBy: { by: 'bank-op', module: 'provider/jwt-checks.ts' },
      conformance: [],
    },
  ],
  bankApi: [
    {
      order: 4,
      name: 'Binding: token cnf matches the proof key or certificate',
      clause: 'RFC 9449 §6.1, RFC 8705 §3',
      checks: 'token cnf matches the proof key or certificate',
    },
  ],
};

function setup(answer: { status?: number; body: unknown } = { body: buildRuleCatalogue(BANKS, ATTACKS) }) {
  const api = fakeApi();
  api.answer('GET', '/rules', answer);
  render(
    <Router>
      <RulesPage />
    </Router>,
  );
  return api;
}

const ruleCard = (ref: string) =>
  screen.getAllByTestId('rule').find((element) => element.dataset.ruleRef === ref)!;

describe('Rules page', () => {
  it('counts the rules that have an attack, and marks the one that has none', async () => {
    setup();
    const catalogue = buildRuleCatalogue(BANKS, ATTACKS);
    const count = await screen.findByTestId('rules-count');
    expect(count.textContent).toContain(
      `${catalogue.counts.withAttack} of ${catalogue.counts.rules} rules have an attack`,
    );
    expect(within(ruleCard('bank-op:no-password-grant')).getByTestId('no-attack').textContent).toBe(
      'No attack yet',
    );
    expect(within(ruleCard('bank-op:code-single-use')).queryByTestId('no-attack')).toBeNull();
  });

  it('shows a rule’s clause, requirement, enforcer, fix, attacks (linked) and certification modules', async () => {
    setup();
    await screen.findByTestId('rules-count');
    const card = within(ruleCard('bank-op:code-single-use'));
    expect(card.getByRole('heading', { level: 3 }).textContent).toBe('code-single-use');
    expect(card.getByRole('button', { name: 'RFC 6749 §4.1.2' })).toBeTruthy();
    expect(card.getByText('An authorization code is redeemed once')).toBeTruthy();
    expect(card.getByText('oidc-provider setting: authorization code consumption')).toBeTruthy();
    expect(card.getByText('redeem each code once')).toBeTruthy();
    const link = card.getByRole('link', { name: /authorization code .*twice|redeem/i });
    expect(link.getAttribute('href')).toBe('#attack-code-reuse');
    expect(
      card.getByText('fapi2-security-profile-final-ensure-authorization-code-is-bound-to-client'),
    ).toBeTruthy();
    // The link leads to the attack's description: its threat and who refuses it under each profile.
    const attack = document.getElementById('attack-code-reuse')!;
    const codeReuse = ATTACKS.find((a) => a.id === 'code-reuse')!;
    expect(attack.textContent).toContain(codeReuse.threat);
    expect(within(attack).getByText(/^FAPI 2\.0 \+ DPoP: the bank’s authorization server/)).toBeTruthy();
    expect(within(attack).getByText(/^FAPI 1\.0 Advanced: the bank’s authorization server/)).toBeTruthy();
  });

  it('says, for an attack a profile does not have, why', async () => {
    setup();
    await screen.findByTestId('rules-count');
    const attack = within(document.getElementById('attack-request-object-unsigned')!);
    // FAPI 2.0 with DPoP, with mTLS, and with DPoP and opaque tokens: none of the three sends a request object.
    expect(attack.getAllByText(/does not apply: FAPI 2\.0 sends the authorization parameters/)).toHaveLength(
      3,
    );
  });

  it('opens a rule’s clause text from its chip', async () => {
    setup();
    await screen.findByTestId('rules-count');
    await userEvent.click(within(ruleCard('bank-op:no-password-grant')).getByTestId('clause-chip'));
    const dialog = await screen.findByTestId('clause-dialog');
    expect(within(dialog).getByRole('heading', { level: 2 }).textContent).toBe('FAPI 2.0 SP §5.3.2.1-2');
  });

  it('filters by profile: FAPI 2.0 hides the FAPI 1.0 Advanced rules and the attacks only it has', async () => {
    setup();
    await screen.findByTestId('rules-count');
    expect(screen.getByRole('heading', { level: 2, name: 'Bank OP · FAPI 1.0 Advanced' })).toBeTruthy();
    await userEvent.selectOptions(screen.getByLabelText('Profile'), 'fapi2');
    await waitFor(() =>
      expect(screen.queryByRole('heading', { level: 2, name: 'Bank OP · FAPI 1.0 Advanced' })).toBeNull(),
    );
    expect(
      screen.getByRole('heading', { level: 2, name: 'Bank OP · FAPI 2.0 Security Profile' }),
    ).toBeTruthy();
    expect(document.getElementById('attack-request-object-unsigned')).toBeNull();
    // Two FAPI 2.0 rules, bank-api's check and Moneywise's four checks hold under FAPI 2.0.
    expect(screen.getByTestId('rules-shown').textContent).toBe('Showing 7 rules under FAPI 2.0.');
  });

  it('filters by text, across clause, requirement, fix and attack titles', async () => {
    setup();
    await screen.findByTestId('rules-count');
    await userEvent.type(screen.getByLabelText('Find a rule'), 'password');
    await waitFor(() => expect(screen.getAllByTestId('rule')).toHaveLength(1));
    expect(ruleCard('bank-op:no-password-grant')).toBeTruthy();
    expect(screen.getByTestId('rules-shown').textContent).toBe('Showing 1 rule matching “password”.');
    await userEvent.clear(screen.getByLabelText('Find a rule'));
    await userEvent.type(screen.getByLabelText('Find a rule'), 'RFC 9449');
    await waitFor(() => expect(screen.getAllByTestId('rule')).toHaveLength(1));
    expect(ruleCard('bank-api:Binding: token cnf matches the proof key or certificate')).toBeTruthy();
  });

  it('says which bank did not answer, and the fix', async () => {
    setup({
      status: 502,
      body: {
        error: 'temporarily_unavailable',
        error_description:
          'Read bank-api’s rules: GET https://api.bank.localhost:9543/sandbox/rules failed before any answer (ECONNREFUSED). Fix: check that the party is running (pnpm dev starts every party)',
        party: 'bank-api',
        step: 'Read bank-api’s rules',
        status: 0,
      },
    });
    const notice = await screen.findByTestId('error-notice');
    expect(notice.textContent).toContain('The rules could not be read');
    expect(notice.textContent).toContain('ECONNREFUSED');
    expect(notice.textContent).toContain('pnpm dev');
  });
});
