// The requests the load generator sends, each built afresh as a real client builds it: a new ES256 client
// assertion per token request (the server burns its jti), a new DPoP proof per API call (RFC 9449 §4.2),
// over undici agents that keep their TLS connections alive and present the participant's certificate
// where the binding needs it. Any answer but 200 fails the run.
import { asksForNonce } from '@fapi-sandbox/fapi-client';
import { clientAssertionParams, createClientAssertion } from '@fapi-sandbox/fapi-core/jose/client-assertion';
import { createDpopProof, type DpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import type { SigningKey } from '@fapi-sandbox/fapi-core/jose/keys';
import type { Dispatcher } from 'undici';

export type Send = () => Promise<void>;

async function expectOk(url: string, answer: Dispatcher.ResponseData): Promise<string> {
  const text = await answer.body.text();
  if (answer.statusCode !== 200)
    throw new Error(`${url} answered ${answer.statusCode}: ${text.slice(0, 400)}`);
  return text;
}

/** RFC 6749 §4.4 with private_key_jwt (RFC 7523): client_credentials at `tokenUrl`, over mTLS. */
export function tokenRequests(input: {
  tokenUrl: string;
  /** The issuer: the audience of the client assertion (FAPI 2.0 SP §5.3.2.1-8). */
  issuer: string;
  clientId: string;
  signingKey: SigningKey;
  transport: Dispatcher;
}): Send & { lastAccessToken(): string } {
  const url = new URL(input.tokenUrl);
  let last = '';
  const send = async () => {
    const assertion = await createClientAssertion({
      clientId: input.clientId,
      issuer: input.issuer,
      signingKey: input.signingKey,
    });
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: 'accounts',
      client_id: input.clientId,
      ...clientAssertionParams(assertion),
    }).toString();
    const answer = await input.transport.request({
      origin: url.origin,
      path: url.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    last = (JSON.parse(await expectOk(input.tokenUrl, answer)) as { access_token: string }).access_token;
  };
  return Object.assign(send, { lastAccessToken: () => last });
}

/** A GET with a DPoP-bound token: a fresh proof each time, the server's latest nonce in it (RFC 9449 §9). */
export function dpopApiRequests(input: {
  url: string;
  accessToken: string;
  dpopKey: DpopKey;
  dispatcher: Dispatcher;
}): Send & { nonceRetries(): number } {
  const url = new URL(input.url);
  let nonce: string | undefined;
  let retries = 0;
  const once = async () => {
    const proof = await createDpopProof({
      key: input.dpopKey,
      method: 'GET',
      url: input.url,
      accessToken: input.accessToken,
      ...(nonce ? { nonce } : {}),
    });
    const answer = await input.dispatcher.request({
      origin: url.origin,
      path: url.pathname,
      method: 'GET',
      headers: { authorization: `DPoP ${input.accessToken}`, dpop: proof },
    });
    const headers = answer.headers as Record<string, string>;
    if (headers['dpop-nonce']) nonce = headers['dpop-nonce'];
    return { answer, headers };
  };
  const send = async () => {
    let { answer, headers } = await once();
    if (
      answer.statusCode === 401 &&
      asksForNonce({ status: 401, ok: false, headers, body: undefined, text: '' })
    ) {
      await answer.body.dump();
      retries++;
      ({ answer } = await once());
    }
    await expectOk(input.url, answer);
  };
  return Object.assign(send, { nonceRetries: () => retries });
}

/** A GET with a certificate-bound token over the participant's mTLS connection (RFC 8705 §3). */
export function mtlsApiRequests(input: { url: string; accessToken: string; transport: Dispatcher }): Send {
  const url = new URL(input.url);
  return async () => {
    const answer = await input.transport.request({
      origin: url.origin,
      path: url.pathname,
      method: 'GET',
      headers: { authorization: `Bearer ${input.accessToken}` },
    });
    await expectOk(input.url, answer);
  };
}
