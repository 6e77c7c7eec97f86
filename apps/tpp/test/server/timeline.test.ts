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

const lanes = (entries: { title: string; from: Lane; to: Lane; channel: string; reportedBy: Lane[] }[]) =>
  entries.map((e) => [e.title, `${e.from}→${e.to}`, e.channel, e.reportedBy.join('+')]);

describe('buildTimeline', () => {
  it('draws bank-op’s front-channel records between the browser and the bank', async () => {
    const entries = await buildTimeline(
      [
        event('01.000', {
          party: 'tpp',
          direction: 'outbound',
          channel: 'front',
          step: 'Send the customer to the bank',
          method: 'GET',
          url: `${BANK}/authorize?client_id=c&request_uri=urn:x`,
        }),
        event('01.100', {
          party: 'bank-op',
          direction: 'inbound',
          channel: 'front',
          step: 'Authorization request (front channel)',
          method: 'GET',
          url: `${BANK}/authorize`,
          status: 303,
          checks: [
            { name: 'request_uri bound to this client', passed: true, clause: 'RFC 9126 §4', detail: 'ok' },
          ],
        }),
        event('05.000', {
          party: 'bank-op',
          direction: 'inbound',
          channel: 'front',
          step: 'Customer sign-in and consent',
          method: 'POST',
          url: `${BANK}/interaction/abc/login`,
          status: 303,
        }),
        event('09.000', {
          party: 'bank-op',
          direction: 'inbound',
          channel: 'front',
          step: 'Authorization response (redirect to the client)',
          method: 'GET',
          url: `${BANK}/authorize/abc`,
          status: 303,
          responseHeaders: { location: `${TPP}/callback?code=abcdefgh…&state=s&iss=x` },
        }),
        event('09.200', {
          party: 'tpp',
          direction: 'inbound',
          channel: 'front',
          step: 'Customer returns to Moneywise',
          method: 'GET',
          url: `${TPP}/callback?code=%5Bredacted%5D`,
        }),
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
        event('04.000', {
          party: 'bank-op',
          direction: 'inbound',
          channel: 'back',
          step: 'Token request',
          method: 'POST',
          url: `${BANK_MTLS}/token`,
          status: 400,
        }),
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
