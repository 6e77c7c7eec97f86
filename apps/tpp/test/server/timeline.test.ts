// The inspector's timeline from raw trace events: lanes per party, channel and direction, and the
// sender's and receiver's records of one back-channel message merged into one entry.
import type { TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { describe, expect, it } from 'vitest';
import type { Lane } from '../../src/shared/timeline.js';
import { buildTimeline } from '../../src/trace/timeline.js';

const BANK = 'https://bank.localhost:9443';
const BANK_MTLS = 'https://mtls.bank.localhost:9444';
const TPP = 'https://tpp.localhost:8543';

const partyOf = (url: string): Lane =>
  url.startsWith(BANK) || url.startsWith(BANK_MTLS) ? 'bank-op' : url.startsWith(TPP) ? 'tpp' : 'directory';

let seq = 0;
function event(
  at: string,
  fields: Partial<TraceEvent> & Pick<TraceEvent, 'party' | 'direction' | 'channel'>,
): TraceEvent {
  seq += 1;
  return {
    id: `e${seq}`,
    at: `2025-06-30T09:00:${at}Z`,
    interactionId: 'i1',
    jwts: [],
    checks: [],
    ...fields,
  };
}

const sendToBank = (at: string) =>
  event(at, {
    party: 'tpp',
    direction: 'outbound',
    channel: 'front',
    step: 'Send the customer to the bank',
    method: 'GET',
    url: `${BANK}/authorize?client_id=c&request_uri=urn:x`,
  });

/** bank-op's record of its authorization response: the redirect that sends the browser to `location`. */
const redirectBack = (at: string, location: string) =>
  atTheBank(at, 'Authorization response (redirect to the client)', '/authorize/abc', {
    responseHeaders: { location },
  });

/** bank-op's record of a browser request at one of its pages. */
const atTheBank = (at: string, step: string, path: string, fields: Partial<TraceEvent> = {}) =>
  event(at, {
    party: 'bank-op',
    direction: 'inbound',
    channel: 'front',
    step,
    method: 'GET',
    url: `${BANK}${path}`,
    status: 303,
    ...fields,
  });

const customerReturns = (at: string, url: string) =>
  event(at, {
    party: 'tpp',
    direction: 'inbound',
    channel: 'front',
    step: 'Customer returns to Moneywise',
    method: 'GET',
    url,
  });

/** bank-op's record of a token request on its mTLS listener. */
const tokenRequestAtTheBank = (at: string, status: number) =>
  event(at, {
    party: 'bank-op',
    direction: 'inbound',
    channel: 'back',
    step: 'Token request',
    method: 'POST',
    url: `${BANK_MTLS}/token`,
    status,
  });

const lanes = (entries: { title: string; from: Lane; to: Lane; channel: string; reportedBy: Lane[] }[]) =>
  entries.map((e) => [e.title, `${e.from}→${e.to}`, e.channel, e.reportedBy.join('+')]);

describe('buildTimeline', () => {
  it('draws bank-op’s front-channel records between the browser and the bank', async () => {
    const entries = await buildTimeline(
      [
        sendToBank('01.000'),
        atTheBank('01.100', 'Authorization request (front channel)', '/authorize', {
          checks: [
            { name: 'request_uri bound to this client', passed: true, clause: 'RFC 9126 §4', detail: 'ok' },
          ],
        }),
        atTheBank('05.000', 'Customer sign-in and consent', '/interaction/abc/login', { method: 'POST' }),
        redirectBack('09.000', `${TPP}/callback?code=abcdefgh…&state=s&iss=x`),
        customerReturns('09.200', `${TPP}/callback?code=%5Bredacted%5D`),
      ],
      partyOf,
    );
    expect(lanes(entries)).toEqual([
      ['Send the customer to the bank', 'tpp→browser', 'front', 'tpp'],
      ['Authorization request (front channel)', 'browser→bank-op', 'front', 'bank-op'],
      ['Customer sign-in and consent', 'browser→bank-op', 'front', 'bank-op'],
      ['Authorization response (redirect to the client)', 'browser→bank-op', 'front', 'bank-op'],
      ['Customer returns to Moneywise', 'browser→tpp', 'front', 'tpp'],
    ]);
    expect(entries[1]!.checks).toEqual([expect.objectContaining({ by: 'bank-op', passed: true })]);
  });

  it('merges bank-op’s record of a back-channel call into the TPP’s, whichever listener it arrived on', async () => {
    const entries = await buildTimeline(
      [
        // private_key_jwt + DPoP: the token request goes to bank-op's web listener, which records 'front'.
        event('02.000', {
          party: 'tpp',
          direction: 'outbound',
          channel: 'back',
          step: 'Exchange the code for tokens',
          method: 'POST',
          url: `${BANK}/token`,
          status: 200,
        }),
        event('02.010', {
          party: 'bank-op',
          direction: 'inbound',
          channel: 'front',
          step: 'Token request',
          method: 'POST',
          url: `${BANK}/token`,
          status: 200,
          checks: [{ name: 'DPoP proof valid', passed: true, clause: 'RFC 9449 §4.3', detail: 'ok' }],
        }),
        // Certificate-bound: the mTLS alias, recorded 'back'.
        event('03.000', {
          party: 'tpp',
          direction: 'outbound',
          channel: 'back',
          step: 'Push the authorization request (PAR)',
          method: 'POST',
          url: `${BANK_MTLS}/par`,
          status: 201,
        }),
        event('03.010', {
          party: 'bank-op',
          direction: 'inbound',
          channel: 'back',
          step: 'Pushed authorization request',
          method: 'POST',
          url: `${BANK_MTLS}/par`,
          status: 201,
        }),
        // A record the TPP has no counterpart for (another status) stays on its own.
        tokenRequestAtTheBank('04.000', 400),
      ],
      partyOf,
    );
    expect(lanes(entries)).toEqual([
      ['Exchange the code for tokens', 'tpp→bank-op', 'back', 'tpp+bank-op'],
      ['Push the authorization request (PAR)', 'tpp→bank-op', 'back', 'tpp+bank-op'],
      ['Token request', 'tpp→bank-op', 'back', 'bank-op'],
    ]);
    expect(entries[0]!.checks).toEqual([
      expect.objectContaining({ name: 'DPoP proof valid', by: 'bank-op' }),
    ]);
  });

  it('does not pair a browser request with a TPP call to another path or long after it', async () => {
    const entries = await buildTimeline(
      [
        event('01.000', {
          party: 'tpp',
          direction: 'outbound',
          channel: 'back',
          step: 'Push the authorization request (PAR)',
          method: 'POST',
          url: `${BANK}/par`,
          status: 201,
        }),
        event('01.500', {
          party: 'bank-op',
          direction: 'inbound',
          channel: 'front',
          step: 'Customer sign-in and consent',
          method: 'POST',
          url: `${BANK}/interaction/abc/login`,
          status: 303,
        }),
        event('59.000', {
          party: 'bank-op',
          direction: 'inbound',
          channel: 'front',
          step: 'Pushed authorization request',
          method: 'POST',
          url: `${BANK}/par`,
          status: 201,
        }),
      ],
      partyOf,
    );
    expect(lanes(entries)).toEqual([
      ['Push the authorization request (PAR)', 'tpp→bank-op', 'back', 'tpp'],
      ['Customer sign-in and consent', 'browser→bank-op', 'front', 'bank-op'],
      ['Pushed authorization request', 'browser→bank-op', 'front', 'bank-op'],
    ]);
  });
});

describe('causal order', () => {
  // Each profile's return from the bank: FAPI 2.0 (code, state and iss in the query, with DPoP or mTLS)
  // and FAPI 1.0 Advanced (a JARM response). bank-op stamps its redirect when the response has finished,
  // which under load is after the browser already reached the TPP: its clock puts the effect first.
  const returns = {
    'fapi2-dpop': `${TPP}/callback?code=-3KVWpk5%E2%80%A6&state=s1&iss=x`,
    'fapi2-mtls': `${TPP}/callback?code=Zr8aQ1bc%E2%80%A6&state=s2&iss=x`,
    'fapi1-advanced': `${TPP}/callback?response=eyJhbGci%E2%80%A6`,
  };

  it.each(Object.entries(returns))(
    '%s: the bank’s redirect comes before the customer returning to Moneywise and its checks, whatever the clocks say',
    async (_profile, callback) => {
      const entries = await buildTimeline(
        [
          sendToBank('01.000'),
          atTheBank('01.100', 'Consent decision', '/interaction/abc/consent', {
            method: 'POST',
            responseHeaders: { location: `${BANK}/authorize/abc` },
          }),
          // The TPP's records of what the redirect caused, stamped 2 ms before the redirect itself.
          customerReturns('01.201', callback),
          event('01.202', {
            party: 'tpp',
            direction: 'internal',
            channel: 'back',
            step: 'Check the authorization response',
          }),
          redirectBack('01.203', callback),
          event('01.300', {
            party: 'tpp',
            direction: 'outbound',
            channel: 'back',
            step: 'Exchange the code for tokens',
            method: 'POST',
            url: `${BANK_MTLS}/token`,
            status: 200,
          }),
          tokenRequestAtTheBank('01.290', 200),
        ],
        partyOf,
      );
      expect(entries.map((e) => e.title)).toEqual([
        'Send the customer to the bank',
        'Consent decision',
        'Authorization response (redirect to the client)',
        'Customer returns to Moneywise',
        'Check the authorization response',
        'Exchange the code for tokens',
      ]);
    },
  );

  it('keeps clock order between messages that do not cause one another', async () => {
    const entries = await buildTimeline(
      [
        event('02.000', { party: 'tpp', direction: 'internal', channel: 'back', step: 'B' }),
        event('01.000', { party: 'directory', direction: 'inbound', channel: 'back', step: 'A' }),
        event('03.000', { party: 'bank-op', direction: 'inbound', channel: 'back', step: 'C' }),
      ],
      partyOf,
    );
    expect(entries.map((e) => e.title)).toEqual(['A', 'B', 'C']);
  });
});
