// @vitest-environment happy-dom
// "Try to break it" in the inspector: the selected message offers the attacks that bend it (and says
// which do not apply to this connection's profile), a run shows who refused it, with the status, error,
// check, clause, fix and threat, then the timeline shows the run under "Attacks"; an attack nobody refused
// is shown loudly as a hole, and where the profiles stop an attack differently they stand side by side.
import { render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionView } from '../../src/shared/api.js';
import type { AttackCatalogueView, AttackOutcomeView, AttackView } from '../../src/shared/attacks.js';
import type { ConnectionTrace, TimelineEntry } from '../../src/shared/timeline.js';
import { ConnectionPage } from '../../src/web/pages/ConnectionPage.js';
import { InspectorPage } from '../../src/web/pages/InspectorPage.js';
import { Router } from '../../src/web/router.js';
import { fakeApi } from './fake-api.js';
import { timelineEntry } from './timeline-entry.js';

afterEach(() => {
  vi.unstubAllGlobals();
  window.history.replaceState(null, '', '/');
});

const entry = timelineEntry;

const flow: TimelineEntry[] = [
  entry('m-par', 'Push the authorization request (PAR)', { status: 201 }),
  entry('m-token', 'Exchange the code for tokens', { status: 200 }),
  entry('m-response', 'Check the authorization response', { channel: 'internal', to: 'tpp' }),
  entry('m-balances', 'Read balances', { to: 'bank-api', status: 200, phase: 'use' }),
];

const trace = (entries: TimelineEntry[]): ConnectionTrace => ({
  connectionId: 'c1',
  interactionId: 'i1',
  unavailable: [],
  entries,
});

const attack = (fields: Partial<AttackView> & Pick<AttackView, 'id' | 'title' | 'message'>): AttackView => ({
  profiles: ['fapi2-dpop', 'fapi2-mtls', 'fapi1-advanced'],
  refusals: {},
  notApplicable: {},
  threat: 'something bad happens',
  fix: 'do it right',
  rules: [],
  ...fields,
});

const codeRefusal = {
  party: 'bank-op',
  status: 400,
  error: 'invalid_grant',
  clause: 'RFC 6749 §4.1.2',
} as const;

const catalogue: AttackCatalogueView = {
  steps: {
    par: ['Push the authorization request (PAR)'],
    'token:authorization_code': ['Exchange the code for tokens'],
    'authorization-response': ['Check the authorization response'],
  },
  attacks: [
    attack({
      id: 'code-reuse',
      title: 'An authorization code is redeemed a second time',
      message: 'token:authorization_code',
      refusals: { 'fapi2-dpop': codeRefusal, 'fapi2-mtls': codeRefusal, 'fapi1-advanced': codeRefusal },
      threat: 'a code leaked from a log or a referrer is redeemed by whoever read it',
      fix: 'redeem each code once',
    }),
    attack({
      id: 'pkce-verifier-wrong',
      title: 'The PKCE verifier is not the one the challenge was made from',
      message: 'token:authorization_code',
      refusals: { 'fapi2-dpop': { ...codeRefusal, clause: 'RFC 7636' } },
      profiles: ['fapi2-dpop'],
    }),
    attack({
      id: 'request-object-unsigned',
      title: 'The request object is not signed (alg none)',
      message: 'par',
      profiles: ['fapi1-advanced'],
      refusals: {
        'fapi1-advanced': {
          party: 'bank-op',
          status: 400,
          error: 'invalid_request_object',
          clause: 'FAPI 1.0 Adv §8.6-1',
        },
      },
      notApplicable: { 'fapi2-dpop': 'FAPI 2.0 sends no request object: PAR carries the parameters' },
    }),
    attack({
      id: 'mix-up-iss',
      title: 'The authorization response names another issuer (mix-up)',
      message: 'authorization-response',
      refusals: {
        'fapi2-dpop': { party: 'tpp', status: 400, error: 'invalid_issuer', clause: 'RFC 9207 §2.4' },
        'fapi2-mtls': { party: 'tpp', status: 400, error: 'invalid_issuer', clause: 'RFC 9207 §2.4' },
        'fapi1-advanced': { party: 'tpp', status: 400, error: 'invalid_request', clause: 'RFC 7515 §5.2' },
      },
    }),
  ],
};

const connection = { id: 'c1', profile: 'fapi2-dpop', status: 'active' } as ConnectionView;

const refused: AttackOutcomeView = {
  attack: 'code-reuse',
  profile: 'fapi2-dpop',
  refusal: {
    party: 'bank-op',
    status: 400,
    error: 'invalid_grant',
    description: 'grant request is invalid (RFC 6749 section 4.1.2). Fix: redeem each code once.',
    clause: 'RFC 6749 §4.1.2',
  },
  changes: ['code: the one already redeemed'],
  expected: codeRefusal,
  matched: true,
  mismatches: [],
};

function inspector(outcome: AttackOutcomeView | { status: number; body: unknown }) {
  const api = fakeApi();
  let ran = false;
  api.answer('GET', '/attacks', { body: catalogue });
  api.answer('GET', '/connections/c1', { body: connection });
  api.answer('GET', '/connections/c1/trace', () => ({
    body: trace(
      ran
        ? [
            ...flow,
            entry(
              'a1',
              'Attack: An authorization code is redeemed a second time — Exchange the code for tokens (bent)',
              {
                status: 400,
                phase: 'attacks',
              },
            ),
          ]
        : flow,
    ),
  }));
  api.answer('POST', '/connections/c1/attacks/code-reuse', () => {
    ran = true;
    return 'attack' in outcome ? { body: outcome } : outcome;
  });
  render(
    <Router>
      <InspectorPage connectionId="c1" />
    </Router>,
  );
  return api;
}

async function select(title: string) {
  const item = (await screen.findAllByTestId('timeline-entry')).find((e) => e.textContent?.includes(title));
  await userEvent.click(item!);
}

describe('Try to break it, in the inspector', () => {
  it('offers the attacks that bend the selected message, and says which are not for this profile', async () => {
    inspector(refused);
    await select('Exchange the code for tokens');
    const panel = await screen.findByTestId('attack-panel');
    expect(within(panel).getByRole('heading', { name: 'Try to break it' })).toBeTruthy();
    const attacks = within(panel).getAllByTestId('attack');
    expect(attacks.map((a) => a.dataset.attackId)).toEqual(['code-reuse', 'pkce-verifier-wrong']);
    expect(
      within(attacks[0]!).getByRole('button', {
        name: 'Run the attack: An authorization code is redeemed a second time',
      }),
    ).toBeTruthy();
    expect(within(attacks[0]!).getByTestId('attack-expected').textContent).toMatch(
      /refused by the bank’s authorization server, 400 invalid_grant RFC 6749 §4\.1\.2/,
    );

    await select('Push the authorization request (PAR)');
    const par = await screen.findByTestId('attack-panel');
    const unsigned = within(par).getByTestId('attack');
    expect(within(unsigned).queryByRole('button', { name: /Run/ })).toBeNull();
    expect(within(unsigned).getByTestId('attack-not-applicable').textContent).toBe(
      'Not for FAPI 2.0 + DPoP: FAPI 2.0 sends no request object: PAR carries the parameters',
    );

    await select('Read balances');
    await waitFor(() => expect(screen.queryByTestId('attack-panel')).toBeNull());
  });

  it('shows the profiles side by side where they stop an attack differently', async () => {
    inspector(refused);
    await select('Check the authorization response');
    const table = await screen.findByTestId('attack-profiles');
    const rows = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((row) => row.textContent);
    expect(rows).toEqual([
      'FAPI 2.0 + DPoPMoneywise itself400 invalid_issuerRFC 9207 §2.4',
      'FAPI 2.0 + mTLSMoneywise itself400 invalid_issuerRFC 9207 §2.4',
      'FAPI 1.0 AdvancedMoneywise itself400 invalid_requestRFC 7515 §5.2',
    ]);
  });

  it('runs an attack: who refused it, the error, clause, fix and threat, then the run under Attacks', async () => {
    const api = inspector(refused);
    await select('Exchange the code for tokens');
    await userEvent.click(
      await screen.findByRole('button', { name: /Run the attack: An authorization code/ }),
    );
    const result = await screen.findByTestId('attack-result');
    expect(result.closest('[aria-live="polite"]')).toBeTruthy();
    expect(result.dataset).toMatchObject({ refused: 'true', party: 'bank-op', matched: 'true' });
    expect(
      within(result).getByRole('heading', { name: 'Refused by the bank’s authorization server' }),
    ).toBeTruthy();
    expect(within(result).getByTestId('attack-status').textContent).toBe('400');
    expect(within(result).getByTestId('attack-error').textContent).toBe('invalid_grant');
    expect(within(result).getByTestId('attack-clause').textContent).toBe('RFC 6749 §4.1.2');
    expect(within(result).getByTestId('attack-changes').textContent).toBe('code: the one already redeemed');
    expect(within(result).getByTestId('attack-threat').textContent).toBe(
      'Without this rule: a code leaked from a log or a referrer is redeemed by whoever read it',
    );
    expect(within(result).getByTestId('attack-fix').textContent).toBe('Fix: redeem each code once');
    expect(api.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      '/connections/c1/attacks/code-reuse',
    ]);
    // The timeline was read again: the run's messages are under the Attacks heading.
    const attacks = await waitFor(() => {
      const group = screen.getAllByTestId('timeline-phase').find((g) => g.dataset.phase === 'attacks');
      expect(group).toBeTruthy();
      return group!;
    });
    expect(within(attacks).getByRole('heading', { level: 2 }).textContent).toMatch(/^Attacks/);
    expect(within(attacks).getByTestId('timeline-entry').textContent).toContain('(bent)');
    // The result stays beside the message it attacked.
    expect(screen.getByTestId('attack-result')).toBeTruthy();
  });

  it('shows an attack nobody refused loudly, as a hole', async () => {
    const { refusal: _none, ...rest } = refused;
    inspector({
      ...rest,
      matched: false,
      mismatches: ['NOT REFUSED: every party accepted the attacked message'],
    });
    await select('Exchange the code for tokens');
    await userEvent.click(
      await screen.findByRole('button', { name: /Run the attack: An authorization code/ }),
    );
    const result = await screen.findByTestId('attack-result');
    expect(result.dataset.refused).toBe('false');
    expect(result.className).toContain('attack-hole');
    expect(within(result).getByRole('heading').textContent).toBe(
      'NOT REFUSED: this is a hole. Every party accepted the bent message.',
    );
    expect(result.textContent).toContain('should have refused it with 400 invalid_grant');
    expect(within(result).getByTestId('attack-threat').textContent).toContain('redeemed by whoever read it');
  });

  it('says why an attack could not run (one already running)', async () => {
    inspector({
      status: 409,
      body: {
        error: 'attack_running',
        error_description:
          'An attack of this session is still running; one runs at a time (RFC 9110 section 15.5.10).',
      },
    });
    await select('Exchange the code for tokens');
    await userEvent.click(
      await screen.findByRole('button', { name: /Run the attack: An authorization code/ }),
    );
    const notice = await screen.findByTestId('error-notice');
    expect(notice.textContent).toContain('The attack could not be run');
    expect(notice.textContent).toContain('attack_running');
    expect(screen.queryByTestId('attack-result')).toBeNull();
  });
});

describe('Try to break it, on a connection with opaque access tokens', () => {
  const revoked = {
    party: 'bank-api',
    status: 401,
    error: 'invalid_token',
    clause: 'RFC 7009 §2',
  } as const;
  const opaqueCatalogue: AttackCatalogueView = {
    steps: { 'api:accounts': ['Read accounts'] },
    attacks: [
      attack({
        id: 'access-token-revoked',
        title: 'An access token revoked at the bank is used again (revoke, then call again)',
        message: 'api:accounts',
        profiles: ['fapi2-dpop', 'fapi2-dpop-opaque'],
        refusals: { 'fapi2-dpop': revoked, 'fapi2-dpop-opaque': { ...revoked, clause: 'RFC 7662 §2.2' } },
        howStopped: {
          'fapi2-dpop': 'A JWT access token is valid on its signature alone until its exp.',
          'fapi2-dpop-opaque':
            'bank-api asks bank-op at every call: the revocation bites at the very next call.',
        },
      }),
      attack({
        id: 'access-token-claims-edited',
        title: 'The access token’s claims are edited',
        message: 'api:accounts',
        profiles: ['fapi2-dpop'],
        refusals: { 'fapi2-dpop': { ...revoked, clause: 'RFC 7515 §5.2' } },
        notApplicable: {
          'fapi2-dpop-opaque':
            'the access token is opaque, a reference with no claims in it to edit: bank-api learns its claims only from bank-op, by introspection (RFC 7662 §2.2)',
        },
      }),
    ],
  };

  it('offers revoke-then-call-again, says how introspection stops it beside a JWT, and why an edit of the JWT’s claims does not apply', async () => {
    const api = fakeApi();
    api.answer('GET', '/attacks', { body: opaqueCatalogue });
    api.answer('GET', '/connections/c1', { body: { ...connection, profile: 'fapi2-dpop-opaque' } });
    api.answer('GET', '/connections/c1/trace', {
      body: trace([entry('m-accounts', 'Read accounts', { to: 'bank-api', status: 200, phase: 'use' })]),
    });
    render(
      <Router>
        <InspectorPage connectionId="c1" />
      </Router>,
    );
    await select('Read accounts');
    const panel = await screen.findByTestId('attack-panel');
    const [revocation, claims] = within(panel).getAllByTestId('attack');
    expect(
      within(revocation!).getByRole('button', { name: /Run the attack: An access token revoked/ }),
    ).toBeTruthy();
    expect(within(revocation!).getByTestId('attack-how-stopped').textContent).toMatch(
      /^How FAPI 2\.0 \+ DPoP, opaque tokens stops it: bank-api asks bank-op at every call.*Compare FAPI 2\.0 \+ DPoP: A JWT access token is valid on its signature alone until its exp\.$/,
    );
    expect(within(revocation!).getByTestId('attack-profiles').textContent).toContain('RFC 7662 §2.2');
    expect(within(claims!).queryByRole('button', { name: /Run/ })).toBeNull();
    expect(within(claims!).getByTestId('attack-not-applicable').textContent).toBe(
      'Not for FAPI 2.0 + DPoP, opaque tokens: the access token is opaque, a reference with no claims in it to edit: bank-api learns its claims only from bank-op, by introspection (RFC 7662 §2.2)',
    );
    expect(api.calls.filter((c) => c.method === 'POST')).toEqual([]);
  });
});

describe('the connection page', () => {
  it('has an Attacks section that leads to the inspector', async () => {
    const api = fakeApi();
    api.answer('GET', '/connections/c1', { body: { ...connection, status: 'disconnected', payments: [] } });
    render(
      <Router>
        <ConnectionPage id="c1" />
      </Router>,
    );
    const section = await screen.findByTestId('attacks-section');
    expect(within(section).getByRole('heading', { name: 'Attacks' })).toBeTruthy();
    expect(
      within(section).getByRole('link', { name: 'Try to break it in the inspector' }).getAttribute('href'),
    ).toBe('/connections/c1/inspector');
  });
});
