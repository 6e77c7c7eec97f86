// The client's side of FAPI 2.0 HTTP Signatures §5.3.2.2: an answer to a signed request is acted on only
// when the resource server signed it, bound to that request; the checks say which key signed what.
import { signResponse } from '@fapi-sandbox/fapi-core/http-signatures';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeResponse } from '../src/exchange.js';
import {
  checkSignedResponse,
  type MessageSigning,
  ResponseSignatureRejected,
  signResourceRequest,
} from '../src/message-signing.js';

const URL_ = 'https://api.bank.localhost:9543/open-banking/v3.1/pisp/domestic-payments';
const ANSWER = JSON.stringify({ Data: { DomesticPaymentId: 'dp-1' } });

async function keyPair(alg: 'PS256' | 'ES256', kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    signing: { kid, alg, key: privateKey },
    jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } as JWK,
  };
}

let client: Awaited<ReturnType<typeof keyPair>>;
let bank: Awaited<ReturnType<typeof keyPair>>;
let forger: Awaited<ReturnType<typeof keyPair>>;
let signing: MessageSigning;

beforeAll(async () => {
  [client, bank, forger] = await Promise.all([
    keyPair('PS256', 'moneywise'),
    keyPair('ES256', 'bank'),
    keyPair('ES256', 'bank'),
  ]);
  signing = { key: client.signing, serverKeys: async (kid) => (kid === 'bank' ? bank.jwk : undefined) };
}, 30_000);

async function signedRequest() {
  const parts = {
    method: 'POST',
    url: URL_,
    headers: { authorization: 'Bearer token', 'x-fapi-interaction-id': 'id-1' },
    body: '{"Data":{}}',
  };
  const { headers, signature } = await signResourceRequest(signing, parts);
  return { parts: { ...parts, headers: { ...parts.headers, ...headers } }, signature };
}

function answer(headers: Record<string, string>, status = 201, text = ANSWER): ExchangeResponse {
  return { status, headers, body: JSON.parse(text), text, ok: status < 300 };
}

describe('checkSignedResponse', () => {
  it('accepts the bank’s signed answer and reports both signatures as passed checks', async () => {
    const sent = await signedRequest();
    const signed = await signResponse(bank.signing, { status: 201, headers: {}, body: ANSWER }, sent.parts);
    const result = await checkSignedResponse(signing, sent.parts, sent.signature, answer(signed.headers));
    expect(result.checks.map((c) => [c.name, c.passed])).toEqual([
      ["Request signed with Moneywise's key moneywise (PS256)", true],
      ["Response signed by the bank's key bank (ES256), bound to this request", true],
    ]);
  });

  it.each([
    ['an unsigned answer', async () => answer({})],
    [
      'an answer signed by a forger under the bank’s kid',
      async (sent: Awaited<ReturnType<typeof signedRequest>>) =>
        answer(
          (await signResponse(forger.signing, { status: 201, headers: {}, body: ANSWER }, sent.parts))
            .headers,
        ),
    ],
    [
      'a signed answer whose body was changed',
      async (sent: Awaited<ReturnType<typeof signedRequest>>) =>
        answer(
          (await signResponse(bank.signing, { status: 201, headers: {}, body: ANSWER }, sent.parts)).headers,
          201,
          ANSWER.replace('dp-1', 'dp-2'),
        ),
    ],
  ])('refuses %s, and says so in its checks', async (_name, make) => {
    const sent = await signedRequest();
    const err = await checkSignedResponse(signing, sent.parts, sent.signature, await make(sent)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ResponseSignatureRejected);
    const rejected = err as ResponseSignatureRejected;
    expect(rejected.error).toBe('invalid_response_signature');
    expect(rejected.signed.checks.at(-1)).toMatchObject({ passed: false });
    expect(rejected.errorDescription).toMatch(/does not act on it.*Fix: /);
  });
});
