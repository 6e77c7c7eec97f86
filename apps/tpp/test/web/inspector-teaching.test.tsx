// @vitest-environment happy-dom
// The inspector that teaches: clause chips open the clause's text (and every clause the parties cite has
// one), JWT times read as times, a permalink per message, binding boxes only where there is a token,
// expected refusals not painted as failures, the same step under each profile, and the diagram as SVG.
import { render, screen, waitFor, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ConnectionView } from '../../src/shared/api.js';
import type { ConnectionTrace, TimelineEntry } from '../../src/shared/timeline.js';
import { parseClause } from '../../src/web/clauses/clause-refs.js';
import { excerptOf } from '../../src/web/clauses/excerpts.js';
import { JwtTimes, relativeTime } from '../../src/web/components/JwtTimes.js';
import { diagramSvgMarkup } from '../../src/web/components/SequenceDiagram.js';
import { InspectorView } from '../../src/web/pages/InspectorPage.js';
import { Router } from '../../src/web/router.js';
import { clauseStringsInSource } from './clause-strings.js';
import { fakeApi } from './fake-api.js';

afterEach(() => {
  vi.unstubAllGlobals();
  window.history.replaceState(null, '', '/');
});

const entry = (overrides: Partial<TimelineEntry> & Pick<TimelineEntry, 'id' | 'title'>): TimelineEntry => ({
  at: '2025-06-30T09:00:00.000Z',
  interactionId: 'i1',
  channel: 'back',
  from: 'tpp',
  to: 'bank-op',
  jwts: [],
  checks: [],
  reportedBy: ['tpp'],
  ...overrides,
  phase: overrides.phase ?? 'connect',
});

const par = entry({
  id: 'm-par',
  title: 'Push the authorization request (PAR)',
  method: 'POST',
  url: 'https://mtls.bank.localhost:9444/request',
  status: 201,
  explanation: 'The parameters go over the back channel.',
  clause: 'RFC 9126 §2.1, FAPI 2.0 SP §5.3.3.2-2',
  certificate: { subject: 'CN=moneywise', x5tS256: 'x5t-1' },
  // A PAR over mTLS: the timeline builder pairs the certificate with no cnf. No token, so no binding box.
  binding: { kind: 'mtls', presented: 'x5t-1' },
});
const accounts = entry({
  id: 'm-accounts',
  title: 'Read accounts',
  to: 'bank-api',
  method: 'GET',
  url: 'https://api.bank.localhost:9543/open-banking/v3.1/aisp/accounts',
  status: 200,
  at: '2025-06-30T09:00:02.000Z',
  requestHeaders: { authorization: 'DPoP eyJhbGci…' },
  checks: [
    { name: 'DPoP proof htu', passed: true, clause: 'RFC 9449 §4.3 check 9', detail: 'ok', by: 'bank-api' },
  ],
  jwts: [
    {
      where: 'access token (DPoP)',
      header: { alg: 'PS256', typ: 'at+jwt' },
      claims: { iat: 1751274000, exp: 1751274600, cnf: { jkt: 'jkt-1' } },
      by: 'bank-api',
    },
  ],
  binding: { kind: 'dpop', presented: 'jkt-1', cnf: { jkt: 'jkt-1' }, matches: true },
});
// The same call after disconnecting: refused, as the flow meant it to be.
const afterDisconnect: TimelineEntry & { expected?: boolean } = {
  ...accounts,
  id: 'm-refused',
  title: 'Read accounts after disconnecting',
  status: 401,
  at: '2025-06-30T09:00:05.000Z',
  checks: [{ name: 'Revocation', passed: false, clause: 'RFC 7009 §2.1', detail: 'revoked', by: 'bank-api' }],
  jwts: [],
  binding: undefined,
  expected: true,
};
const trace: ConnectionTrace = {
  connectionId: 'c1',
  interactionId: 'i1',
  unavailable: [],
  entries: [par, accounts, afterDisconnect],
};

function renderInspector(value: ConnectionTrace = trace) {
  return render(
    <Router>
      <InspectorView trace={value} backTo="/connections/c1" />
    </Router>,
  );
}

describe('Clause chips', () => {
  it('every clause the parties cite has a bundled excerpt of its section and cited items', () => {
    const clauses = clauseStringsInSource();
    expect(clauses.length).toBeGreaterThan(200);
    const missing = clauses.flatMap(({ text, file }) => {
      const refs = parseClause(text);
      if (refs.length === 0) return [`${file}: "${text}" names no specification the sandbox knows`];
      return refs
        .filter((ref) => !excerptOf(ref))
        .map((ref) => `${file}: "${text}" → ${JSON.stringify(ref)}`);
    });
    expect(missing).toEqual([]);
  });

  it('reads a clause as references: sections, list items, DPoP checks and specs named alone', () => {
    expect(parseClause('RFC 9449 §4.3 check 3, §4.2')).toEqual([
      { spec: 'rfc9449', section: '4.3', items: [3] },
      { spec: 'rfc9449', section: '4.2', items: [] },
    ]);
    expect(parseClause('FAPI 1.0 Part 1 §6.2.1-2/-3/-11, §6.2.2; FAPI 2.0 SP §5.3.4-1')).toEqual([
      { spec: 'fapi1-base', section: '6.2.1', items: [2, 3, 11] },
      { spec: 'fapi1-base', section: '6.2.2', items: [] },
      { spec: 'fapi2-sp', section: '5.3.4', items: [1] },
    ]);
    expect(parseClause('FAPI 1.0 Adv §5.2.2-18, RFC 7636')).toEqual([
      { spec: 'fapi1-adv', section: '5.2.2', items: [18] },
      { spec: 'rfc7636', items: [] },
    ]);
    // A section the bundle lacks has no excerpt (the coverage test above would name it).
    expect(excerptOf({ spec: 'fapi2-sp', section: '5.3.1.2', items: [2] })).toBeUndefined();
  });

  it('opens the clause text in a dialog with a link to the spec; Escape closes it and focus returns to the chip', async () => {
    renderInspector();
    const chip = within(screen.getByTestId('timeline-detail')).getByRole('button', {
      name: 'RFC 9126 §2.1, FAPI 2.0 SP §5.3.3.2-2',
    });
    await userEvent.click(chip);
    const dialog = screen.getByTestId('clause-dialog');
    expect(dialog.textContent).toMatch(
      /must authenticate the client in the same way as at the token endpoint/,
    );
    expect(dialog.textContent).toMatch(/shall use pushed authorization requests according to \[RFC9126\]/);
    const links = within(dialog)
      .getAllByRole('link')
      .map((a) => a.getAttribute('href'));
    expect(links).toEqual([
      'https://www.rfc-editor.org/rfc/rfc9126#section-2.1',
      'https://openid.net/specs/fapi-security-profile-2_0.html#section-5.3.3.2',
    ]);
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByTestId('clause-dialog')).toBeNull();
    expect(document.activeElement).toBe(chip);
  });
});

describe('Decoded JWTs', () => {
  it('shows iat, nbf, exp and auth_time as local times and relative to now beside the numbers', () => {
    const now = 1751274000_000;
    render(
      <JwtTimes claims={{ iat: 1751273820, exp: 1751274060, auth_time: 1751270400, sub: 'x' }} now={now} />,
    );
    const times = screen.getByTestId('jwt-times');
    expect(times.textContent).toMatch(/iat1751273820 = .*\(3 min ago\)/);
    expect(times.textContent).toMatch(/exp1751274060 = .*\(in 60 s\)/);
    expect(times.textContent).toMatch(/auth_time1751270400 = .*\(60 min ago\)/);
    expect(within(times).getAllByRole('time')[1]!.getAttribute('datetime')).toBe('2025-06-30T09:01:00.000Z');
    expect(relativeTime(1751274000 + 3 * 86400, now)).toBe('in 3 d');
  });
});

describe('Permalinks', () => {
  it('selecting a message puts it in the address, and opening that address selects it', async () => {
    window.history.replaceState(null, '', '/connections/c1/inspector');
    const first = renderInspector();
    await userEvent.click(screen.getAllByTestId('timeline-entry')[1]!);
    expect(window.location.hash).toBe('#message-m-accounts');
    expect(screen.getByTestId('message-permalink').getAttribute('href')).toBe(
      `${window.location.origin}/connections/c1/inspector#message-m-accounts`,
    );
    first.unmount();

    window.history.replaceState(null, '', '/connections/c1/inspector#message-m-refused');
    renderInspector();
    expect(within(screen.getByTestId('timeline-detail')).getByRole('heading', { level: 2 }).textContent).toBe(
      'Read accounts after disconnecting',
    );
    expect(screen.getAllByTestId('timeline-entry')[2]!.getAttribute('aria-pressed')).toBe('true');
  });

  it('copies the link to the clipboard', async () => {
    window.history.replaceState(null, '', '/connections/c1/inspector');
    const writeText = vi.fn(async () => {});
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } });
    renderInspector();
    await userEvent.click(screen.getByTestId('copy-link'));
    expect(writeText).toHaveBeenCalledWith(
      `${window.location.origin}/connections/c1/inspector#message-m-par`,
    );
    expect(await screen.findByText('Link copied.')).toBeTruthy();
  });
});

describe('What the inspector paints', () => {
  it('shows the certificate beside cnf only for messages that carry a token', async () => {
    renderInspector();
    const detail = () => screen.getByTestId('timeline-detail');
    // PAR over mTLS presents a certificate but no token: the certificate, no binding box.
    expect(within(detail()).queryByTestId('timeline-binding')).toBeNull();
    expect(detail().textContent).toMatch(/Client certificate CN=moneywise x5t#S256 x5t-1/);
    await userEvent.click(screen.getAllByTestId('timeline-entry')[1]!);
    expect(within(detail()).getByTestId('timeline-binding').dataset.matches).toBe('true');
  });

  it('paints an expected refusal as expected, not as a failure, in the list, the diagram and the detail', async () => {
    renderInspector();
    const refusal = screen.getAllByTestId('timeline-entry')[2]!;
    expect(refusal.dataset.outcome).toBe('expected');
    const arrows = within(screen.getByTestId('sequence-diagram')).getAllByTestId('sequence-message');
    expect(arrows.map((a) => a.dataset.outcome)).toEqual(['ok', 'ok', 'expected']);
    await userEvent.click(refusal);
    expect(screen.getByTestId('timeline-detail').dataset.outcome).toBe('expected');
    expect(screen.getByTestId('expected-refusal').textContent).toMatch(/expected refusal/i);
    // Without the flag, the same refusal is a failure.
    const { expected: _, ...unflagged } = afterDisconnect;
    renderInspector({ ...trace, interactionId: 'i2', entries: [unflagged] });
    expect(screen.getAllByTestId('timeline-entry').at(-1)!.dataset.outcome).toBe('failed');
  });
});

describe('Message signatures (FAPI 2.0 Message Signing NR5, NR6)', () => {
  const signedPayment = entry({
    id: 'm-pay',
    title: 'Submit the payment',
    to: 'bank-api',
    method: 'POST',
    url: 'https://api.bank.localhost:9543/open-banking/v3.1/pisp/domestic-payments',
    status: 201,
    requestHeaders: {
      authorization: 'DPoP eyJhbGci…',
      'content-digest': 'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
      'signature-input':
        'fapi=("@method" "@target-uri" "authorization" "dpop" "content-digest");created=1751274000;keyid="tpp-kid";tag="fapi-2-request"',
      signature: 'fapi=:c2lnbmF0dXJl:',
    },
    responseHeaders: {
      'content-digest': 'sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:',
      'signature-input':
        'fapi=("@status" "content-digest" "@method";req "@target-uri";req "signature";req;key="fapi");created=1751274001;keyid="bank-kid";tag="fapi-2-response"',
      signature: 'fapi=:YW5zd2Vy:',
    },
  });

  it('shows, for each side, the key, the tag and what each covered component pins down, and explains non-repudiation', async () => {
    renderInspector({ ...trace, entries: [signedPayment] });
    const panel = screen.getByTestId('message-signature');
    expect(panel.textContent).toMatch(/cannot convincingly deny having sent it/);
    const [request, response] = within(panel).getAllByTestId('message-signature-side');
    expect(request!.textContent).toMatch(/Key tpp-kid, tag fapi-2-request, created 2025-06-30T09:00:00.000Z/);
    expect(request!.textContent).toMatch(
      /"content-digest"the SHA-256 of the body: payee, amount and reference/,
    );
    expect(request!.textContent).toMatch(/"dpop"the DPoP proof/);
    expect(response!.textContent).toMatch(/Key bank-kid, tag fapi-2-response/);
    expect(response!.textContent).toMatch(
      /"signature";req;key="fapi"Moneywise’s request signature: this answer is to that request/,
    );
    await userEvent.click(within(panel).getByRole('button', { name: 'FAPI 2.0 Message Signing §5.2' }));
    expect(screen.getByTestId('clause-dialog').textContent).toMatch(/for example a payment request/);
  });

  it('shows no signature panel for an unsigned call', () => {
    renderInspector({ ...trace, entries: [accounts] });
    expect(screen.queryByTestId('message-signature')).toBeNull();
  });
});

describe('Sequence diagram', () => {
  it('is one tab stop; the arrow keys move between messages and select them', async () => {
    renderInspector();
    const arrows = within(screen.getByTestId('sequence-diagram')).getAllByRole('button', { pressed: false });
    expect(screen.getAllByTestId('sequence-message').map((a) => a.getAttribute('tabindex'))).toEqual([
      '0',
      '-1',
      '-1',
    ]);
    expect(arrows.length).toBe(2);
    screen.getAllByTestId('sequence-message')[0]!.focus();
    await userEvent.keyboard('{ArrowDown}');
    expect(window.location.hash).toBe('#message-m-accounts');
    expect(document.activeElement).toBe(screen.getAllByTestId('sequence-message')[1]);
    expect(screen.getAllByTestId('timeline-entry')[1]!.getAttribute('aria-pressed')).toBe('true');
  });

  it('exports a standalone SVG: inline colours, no classes, no ARIA or data attributes, the messages as text', () => {
    renderInspector();
    const svg = screen.getByTestId('sequence-diagram').querySelector('svg')!;
    const markup = diagramSvgMarkup(svg);
    expect(markup.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    const doc = new DOMParser().parseFromString(markup, 'image/svg+xml');
    const root = doc.documentElement;
    expect(root.tagName.toLowerCase()).toBe('svg');
    expect(root.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
    expect(root.getAttribute('viewBox')).toMatch(/^0 0 \d+ \d+$/);
    const all = [root, ...root.querySelectorAll('*')];
    expect(all.filter((el) => el.hasAttribute('class'))).toEqual([]);
    expect(
      all.flatMap((el) => el.getAttributeNames().filter((n) => /^(aria|data)-|^role$|^tabindex$/.test(n))),
    ).toEqual([]);
    expect(root.querySelector('style, link, script')).toBeNull();
    // Every arrow carries its colour and marker inline.
    for (const line of root.querySelectorAll('line[marker-end]'))
      expect(line.getAttribute('stroke')).toMatch(/^#[0-9a-f]{6}$/);
    expect(root.textContent).toMatch(/201 Push the authorization request \(PAR\)/);
    expect(root.textContent).toMatch(/Moneywise \(TPP\)/);
  });
});

describe('Compare profiles', () => {
  const connection = (id: string, profile: ConnectionView['profile']): ConnectionView => ({
    id,
    profile,
    profileTitle: profile,
    clientAuth: 'private_key_jwt',
    interactionId: `i-${id}`,
    status: 'active',
    createdAt: '2025-06-30T08:00:00Z',
    updatedAt: '2025-06-30T08:00:00Z',
    payments: [],
  });

  it('shows the same step from the connection of each profile, and says which profile has none yet', async () => {
    const api = fakeApi();
    api.answer('GET', '/connections', {
      body: { connections: [connection('c1', 'fapi2-dpop'), connection('c2', 'fapi2-mtls')] },
    });
    api.answer('GET', '/connections/c1/trace', { body: trace });
    api.answer('GET', '/connections/c2/trace', {
      body: {
        ...trace,
        connectionId: 'c2',
        entries: [
          entry({
            id: 'm2-par',
            title: 'Push the authorization request (PAR)',
            method: 'POST',
            url: 'https://mtls.bank.localhost:9444/request',
            status: 201,
            checks: [
              {
                name: 'Client certificate is the registered one',
                passed: true,
                clause: 'RFC 8705 §2.1',
                detail: 'ok',
                by: 'bank-op',
              },
            ],
          }),
        ],
      },
    });
    renderInspector();
    await userEvent.click(screen.getByTestId('compare-open'));
    const dpop = await screen.findByTestId('compare-fapi2-dpop');
    await waitFor(() => expect(screen.getByTestId('compare-fapi2-mtls').dataset.state).toBe('ready'));
    expect(dpop.textContent).toMatch(/POST \/request/);
    const mtls = screen.getByTestId('compare-fapi2-mtls');
    expect(mtls.textContent).toMatch(/Client certificate is the registered one/);
    expect(
      within(mtls)
        .getByRole('link', { name: /Open in that connection’s inspector/ })
        .getAttribute('href'),
    ).toBe('/connections/c2/inspector#message-m2-par');
    const fapi1 = screen.getByTestId('compare-fapi1-advanced');
    expect(fapi1.dataset.state).toBe('none');
    expect(fapi1.textContent).toMatch(/No FAPI 1\.0 Advanced connection yet/);
    expect(within(fapi1).getByRole('link').getAttribute('href')).toBe('/connect?profile=fapi1-advanced');
  });
});
