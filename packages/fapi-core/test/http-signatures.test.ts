// FAPI 2.0 HTTP Signatures §5.3 as both sides apply it: a signed request verifies once and every way of
// breaking it is refused with the clause that forbids it; a signed response is bound to its request.
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  contentDigest,
  type HttpRequestParts,
  jwksLookup,
  type MessageSigningKey,
  signRequest,
  signResponse,
  verifyRequest,
  verifyResponse,
} from '../src/http-signatures.js';
import type { Violation } from '../src/jose/reject.js';

class Refused extends Error {
  constructor(readonly violation: Violation) {
    super(`${violation.description} (${violation.clause}). Fix: ${violation.fix}`);
  }
}
const reject = (violation: Violation) => new Refused(violation);

const URL_ = 'https://api.bank.localhost:9543/open-banking/v3.1/pisp/domestic-payments';
const BODY = JSON.stringify({ Data: { ConsentId: 'pdc-1' }, Risk: {} });

async function keyPair(alg: 'PS256' | 'ES256', kid: string) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const signing: MessageSigningKey = { kid, alg, key: privateKey };
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { signing, jwk };
}

let tpp: Awaited<ReturnType<typeof keyPair>>;
let tppEc: Awaited<ReturnType<typeof keyPair>>;
let stranger: Awaited<ReturnType<typeof keyPair>>;
let bank: Awaited<ReturnType<typeof keyPair>>;

beforeAll(async () => {
  [tpp, tppEc, stranger, bank] = await Promise.all([
    keyPair('PS256', 'tpp-ps256'),
    keyPair('ES256', 'tpp-es256'),
    keyPair('PS256', 'tpp-ps256'),
    keyPair('ES256', 'bank-es256'),
  ]);
}, 30_000);

function paymentRequest(): HttpRequestParts {
  return {
    method: 'POST',
    url: URL_,
    headers: {
      authorization: 'DPoP an-access-token',
      dpop: 'a.dpop.proof',
      'x-fapi-interaction-id': '5b8e4c0e-3c5e-4d2a-9a49-7c1a0f5c8f10',
      'x-idempotency-key': 'key-1',
      'content-type': 'application/json',
    },
    body: BODY,
  };
}

async function signed(
  key = tpp.signing,
  options?: Parameters<typeof signRequest>[2],
): Promise<HttpRequestParts> {
  const request = paymentRequest();
  const { headers } = await signRequest(key, request, options);
  return { ...request, headers: { ...request.headers, ...headers } };
}

const tppKeys = () => jwksLookup({ keys: [tpp.jwk, tppEc.jwk] });

async function refusal(promise: Promise<unknown>): Promise<Violation> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Refused);
  return (err as Refused).violation;
}

describe('a signed resource request (FAPI 2.0 HTTP Signatures §5.3.1)', () => {
  it('covers method, target URI, Authorization, DPoP, Content-Digest and the FAPI ids, tagged fapi-2-request', async () => {
    const { headers, signature } = await signRequest(tpp.signing, paymentRequest());
    expect(headers['content-digest']).toBe(contentDigest(BODY));
    expect(signature.covered).toEqual([
      '"@method"',
      '"@target-uri"',
      '"authorization"',
      '"dpop"',
      '"content-digest"',
      '"x-fapi-interaction-id"',
      '"x-idempotency-key"',
    ]);
    expect(headers['signature-input']).toMatch(
      /^fapi=\(.*\);created=\d+;keyid="tpp-ps256";tag="fapi-2-request"$/,
    );
    expect(headers['signature-input']).not.toMatch(/;alg=/);
  });

  it.each([
    ['PS256', () => tpp.signing],
    ['ES256', () => tppEc.signing],
  ])('verifies with the client key named by keyid (%s)', async (_alg, key) => {
    const verified = await verifyRequest(await signed(key()), { keys: tppKeys(), reject });
    expect(verified).toMatchObject({ keyid: key().kid, alg: key().alg, tag: 'fapi-2-request' });
  });

  it('refuses a body changed after signing: digest mismatch (RFC 9530 §2)', async () => {
    const request = await signed();
    request.body = BODY.replace('pdc-1', 'pdc-2');
    const violation = await refusal(verifyRequest(request, { keys: tppKeys(), reject }));
    expect(violation.description).toMatch(/does not match its Content-Digest/);
    expect(violation.clause).toMatch(/RFC 9530 §2/);
  });

  it('refuses a Content-Digest changed to match a changed body: the signature no longer verifies', async () => {
    const request = await signed();
    request.body = BODY.replace('pdc-1', 'pdc-2');
    request.headers['content-digest'] = contentDigest(request.body);
    const violation = await refusal(verifyRequest(request, { keys: tppKeys(), reject }));
    expect(violation.description).toMatch(/does not verify with key "tpp-ps256"/);
    expect(violation.clause).toMatch(/§5\.3\.1\.2-2/);
  });

  it('refuses a request with no signature, with status-401 item -3', async () => {
    const violation = await refusal(verifyRequest(paymentRequest(), { keys: tppKeys(), reject }));
    expect(violation.clause).toMatch(/§5\.3\.1\.2-3/);
  });

  it.each([
    ['@method', ['@target-uri', 'authorization', 'dpop', 'content-digest'], /§5\.3\.1\.2-5/],
    ['@target-uri', ['@method', 'authorization', 'dpop', 'content-digest'], /§5\.3\.1\.2-5/],
    ['authorization', ['@method', '@target-uri', 'dpop', 'content-digest'], /§5\.3\.1\.2-5/],
    ['dpop', ['@method', '@target-uri', 'authorization', 'content-digest'], /§5\.3\.1\.2-7/],
    ['content-digest', ['@method', '@target-uri', 'authorization', 'dpop'], /§5\.3\.1\.2-8/],
  ])('refuses a signature that leaves out %s', async (missing, fields, clause) => {
    const request = await signed(tpp.signing, { fields });
    if (missing === 'content-digest') request.headers['content-digest'] = contentDigest(BODY);
    const violation = await refusal(verifyRequest(request, { keys: tppKeys(), reject }));
    expect(violation.description).toContain(`does not cover "${missing}"`);
    expect(violation.clause).toMatch(clause);
  });

  it('refuses a signature made by another key under the same kid', async () => {
    const violation = await refusal(
      verifyRequest(await signed(stranger.signing), { keys: tppKeys(), reject }),
    );
    expect(violation.description).toMatch(/does not verify/);
  });

  it('refuses an unknown keyid', async () => {
    const violation = await refusal(verifyRequest(await signed(bank.signing), { keys: tppKeys(), reject }));
    expect(violation.description).toMatch(/keyid "bank-es256" is not a key of the signer's registered JWKS/);
    expect(violation.clause).toMatch(/§5\.3\.1\.2-1/);
  });

  it('refuses a stale created (61 s old) and one from the future, accepts 50 s old', async () => {
    const now = Date.now();
    const at = (seconds: number) => ({ created: new Date(now - seconds * 1000) });
    const stale = await refusal(
      verifyRequest(await signed(tpp.signing, at(61)), { keys: tppKeys(), reject, now }),
    );
    expect(stale.clause).toMatch(/§5\.3\.1\.2-6/);
    const future = await refusal(
      verifyRequest(await signed(tpp.signing, at(-30)), { keys: tppKeys(), reject, now }),
    );
    expect(future.clause).toMatch(/§5\.3\.1\.2-6/);
    await expect(
      verifyRequest(await signed(tpp.signing, at(50)), { keys: tppKeys(), reject, now }),
    ).resolves.toMatchObject({
      keyid: 'tpp-ps256',
    });
  });

  it('refuses a signature whose tag is not fapi-2-request', async () => {
    const request = await signed();
    request.headers['signature-input'] = String(request.headers['signature-input']).replace(
      'fapi-2-request',
      'fapi-2-response',
    );
    const violation = await refusal(verifyRequest(request, { keys: tppKeys(), reject }));
    expect(violation.clause).toMatch(/§5\.3\.1\.2-4/);
  });

  it('refuses a key that is not a FAPI signing key', async () => {
    const rs256 = { ...tpp.jwk, alg: 'RS256' };
    const violation = await refusal(
      verifyRequest(await signed(), { keys: jwksLookup({ keys: [rs256] }), reject }),
    );
    expect(violation.clause).toMatch(/FAPI 2\.0 SP §5\.4\.1-1/);
  });
});

describe('a signed resource response (FAPI 2.0 HTTP Signatures §5.3.2)', () => {
  const answer = JSON.stringify({
    Data: { DomesticPaymentId: 'dp-1', Status: 'AcceptedSettlementCompleted' },
  });

  async function exchange() {
    const request = await signed();
    const { headers } = await signResponse(bank.signing, { status: 201, headers: {}, body: answer }, request);
    return { request, response: { status: 201, headers, body: answer } };
  }
  const bankKeys = () => jwksLookup({ keys: [bank.jwk] });

  it('covers @status, Content-Digest and the request (method, URI, digest, signature) with ;req', async () => {
    const request = await signed();
    const { signature } = await signResponse(
      bank.signing,
      { status: 201, headers: {}, body: answer },
      request,
    );
    expect(signature.covered).toEqual([
      '"@status"',
      '"content-digest"',
      '"@method";req',
      '"@target-uri";req',
      '"content-digest";req',
      '"signature";req;key="fapi"',
      '"signature-input";req;key="fapi"',
    ]);
    expect(signature.tag).toBe('fapi-2-response');
  });

  it('covers the answer’s x-fapi-interaction-id when it has one: a swapped id no longer verifies', async () => {
    const request = await signed();
    const headers = { 'x-fapi-interaction-id': '6d1c3b0e-8a53-4b5f-9a8e-2f1b7c0d4e21' };
    const signedAnswer = await signResponse(bank.signing, { status: 201, headers, body: answer }, request);
    expect(signedAnswer.signature.covered).toContain('"x-fapi-interaction-id"');
    const response = { status: 201, headers: { ...headers, ...signedAnswer.headers }, body: answer };
    await expect(verifyResponse(response, request, { keys: bankKeys(), reject })).resolves.toMatchObject({
      keyid: 'bank-es256',
    });
    const swapped = { ...response.headers, 'x-fapi-interaction-id': 'a3c9e1f2-0b4d-4e6a-8c7b-5d2e9f1a0b3c' };
    const violation = await refusal(
      verifyResponse({ ...response, headers: swapped }, request, { keys: bankKeys(), reject }),
    );
    expect(violation.description).toMatch(/does not verify/);
  });

  it('verifies against the request it answers', async () => {
    const { request, response } = await exchange();
    await expect(verifyResponse(response, request, { keys: bankKeys(), reject })).resolves.toMatchObject({
      keyid: 'bank-es256',
      tag: 'fapi-2-response',
    });
  });

  it('refuses the response replayed onto another signed request', async () => {
    const { response } = await exchange();
    const other = await signed();
    const violation = await refusal(verifyResponse(response, other, { keys: bankKeys(), reject }));
    expect(violation.description).toMatch(/does not verify/);
  });

  it('refuses an unsigned response (§5.3.2.2-2: the client shall accept and verify the signature)', async () => {
    const { request } = await exchange();
    const violation = await refusal(
      verifyResponse({ status: 201, headers: {}, body: answer }, request, { keys: bankKeys(), reject }),
    );
    expect(violation.clause).toMatch(/§5\.3\.2\.2-2, RFC 9421 §4$/);
  });

  it('refuses a response signature whose tag is not fapi-2-response (§5.3.2.2-5)', async () => {
    const { request, response } = await exchange();
    const retagged = String(response.headers['signature-input']).replace('fapi-2-response', 'fapi-2-request');
    const violation = await refusal(
      verifyResponse(
        { ...response, headers: { ...response.headers, 'signature-input': retagged } },
        request,
        {
          keys: bankKeys(),
          reject,
        },
      ),
    );
    expect(violation.description).toMatch(/No signature has tag="fapi-2-response"/);
    expect(violation.clause).toBe('FAPI 2.0 HTTP Signatures §5.3.2.2-5');
  });

  it('refuses a forged status or body', async () => {
    const { request, response } = await exchange();
    const forgedStatus = await refusal(
      verifyResponse({ ...response, status: 200 }, request, { keys: bankKeys(), reject }),
    );
    expect(forgedStatus.description).toMatch(/does not verify/);
    const forgedBody = await refusal(
      verifyResponse({ ...response, body: answer.replace('dp-1', 'dp-2') }, request, {
        keys: bankKeys(),
        reject,
      }),
    );
    expect(forgedBody.description).toMatch(/Content-Digest/);
  });

  it('refuses a response signature that does not cover the request signature', async () => {
    const request = await signed();
    const unbound = await signResponse(
      bank.signing,
      { status: 201, headers: {}, body: answer },
      {
        ...request,
        headers: { ...request.headers, 'signature-input': undefined, signature: undefined },
      },
    );
    const violation = await refusal(
      verifyResponse({ status: 201, headers: unbound.headers, body: answer }, request, {
        keys: bankKeys(),
        reject,
      }),
    );
    expect(violation.description).toContain('does not cover "signature";req;key="fapi"');
    expect(violation.clause).toMatch(/§5\.3\.2\.2-2/);
  });
});
