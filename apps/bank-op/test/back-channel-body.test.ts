// The participant status gate reads a back-channel request's body once, and oidc-provider parses those
// same bytes (it takes req.body when the stream has been read): what a client sends is judged by both, and
// whatever is wrong with a body is refused with oidc-provider's or the gate's OAuth error, never a 500.

import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { type RegisteredClient, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;
let client: RegisteredClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
  client = await tpp.register({ authMethod: 'private_key_jwt', senderConstraint: 'mtls' });
});
afterAll(async () => {
  await sandbox?.close();
});

/** POSTs `body` as it is to the token endpoint on the mTLS listener, with the client's certificate. */
async function postToken(body: string, contentType = 'application/x-www-form-urlencoded') {
  const res = await fetch(tpp.endpoint(client, '/token'), {
    method: 'POST',
    dispatcher: tpp.dispatcher(client),
    headers: { 'content-type': contentType, accept: 'application/json' },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

async function assertionForm(): Promise<string> {
  return new URLSearchParams(await tpp.clientAuth(client)).toString();
}

describe('a back-channel body read once by the status gate and parsed by oidc-provider', () => {
  it('issues a token for the form the gate read', async () => {
    const res = await postToken(`grant_type=client_credentials&scope=accounts&${await assertionForm()}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.token_type).toBe('Bearer');
  });

  it('refuses a parameter sent twice (RFC 6749 §3.2): oidc-provider parsed the very bytes sent', async () => {
    const res = await postToken(
      `grant_type=client_credentials&scope=accounts&scope=payments&${await assertionForm()}`,
    );
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
    expect(res.body.error_description).toMatch(/scope/);
  });

  it('refuses a JSON body at a form endpoint (RFC 6749 §3.2) with invalid_request', async () => {
    const res = await postToken(JSON.stringify({ grant_type: 'client_credentials' }), 'application/json');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });

  it("refuses a body larger than oidc-provider's limit with invalid_request, not a server error", async () => {
    const padding = 'x'.repeat(57 * 1024);
    const res = await postToken(
      `grant_type=client_credentials&scope=accounts&padding=${padding}&${await assertionForm()}`,
    );
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('invalid_request');
    expect(res.body.error_description).toMatch(/larger than this endpoint accepts/);
  });

  it('refuses an empty body with an OAuth error, not a server error', async () => {
    const res = await postToken('');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.error).toMatch(/^invalid_/);
  });
});
