// Behind a TLS-terminating proxy, the client certificate arrives in a header. bank-op takes it only
// when configured with that proxy and only from the proxy's address; the certificate is still checked
// (issued by the Directory CA, known to the directory, matching the client).
import { readFileSync } from 'node:fs';
import { decodeJwt } from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError } from './support/expect-error.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { json, type RegisteredClient, TestTpp } from './support/tpp.js';

const HEADER = 'x-ssl-client-cert';

describe('a trusted proxy on loopback', () => {
  let sandbox: Sandbox;
  let tpp: TestTpp;
  let client: RegisteredClient;

  beforeAll(async () => {
    sandbox = await startSandbox({
      bankOp: { trustedProxy: { addresses: ['127.0.0.1'], certificateHeader: HEADER } },
    });
    tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
    client = await tpp.register({ authMethod: 'tls_client_auth', senderConstraint: 'mtls' });
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  function viaProxy(path: string, form: Record<string, string>, certFile: string) {
    return fetch(`${sandbox.config.bankOp.issuer}${path}`, {
      method: 'POST',
      dispatcher: sandbox.plain,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        [HEADER]: encodeURIComponent(readFileSync(certFile, 'utf8')),
      },
      body: new URLSearchParams(form).toString(),
    });
  }

  it('authenticates the client and binds its token with the forwarded certificate', async () => {
    const res = await json(
      await viaProxy(
        '/token',
        { grant_type: 'client_credentials', scope: 'accounts', client_id: client.clientId },
        tpp.participant.transportCert,
      ),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(decodeJwt(String(res.body.access_token)).cnf).toEqual({ 'x5t#S256': expect.any(String) });
  });

  it('refuses a forwarded header that is not a certificate', async () => {
    const res = await json(
      await fetch(`${sandbox.config.bankOp.issuer}/token`, {
        method: 'POST',
        dispatcher: sandbox.plain,
        headers: { 'content-type': 'application/x-www-form-urlencoded', [HEADER]: 'not-a-certificate' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: client.clientId,
        }).toString(),
      }),
    );
    expectOAuthError(res, { status: 400, error: 'invalid_request', clause: /RFC 8705/ });
  });

  it('still refuses a forwarded certificate the directory did not issue', async () => {
    const res = await json(
      await viaProxy(
        '/token',
        { grant_type: 'client_credentials', scope: 'accounts', client_id: client.clientId },
        sandbox.config.negative.untrustedTransportCert,
      ),
    );
    expectOAuthError(res, { status: 401, error: 'invalid_client', clause: /RFC 8705/ });
  });
});

describe('a trusted proxy elsewhere', () => {
  let sandbox: Sandbox;
  let tpp: TestTpp;

  beforeAll(async () => {
    sandbox = await startSandbox({
      bankOp: { trustedProxy: { addresses: ['192.0.2.10'], certificateHeader: HEADER } },
    });
    tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('refuses the header from any other address', async () => {
    const client = await tpp.register({ authMethod: 'tls_client_auth' });
    const res = await json(
      await fetch(`${sandbox.config.bankOp.issuer}/token`, {
        method: 'POST',
        dispatcher: sandbox.plain,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          [HEADER]: encodeURIComponent(readFileSync(tpp.participant.transportCert, 'utf8')),
        },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: client.clientId,
        }).toString(),
      }),
    );
    expectOAuthError(res, { status: 400, error: 'invalid_request', clause: /RFC 8705/ });
  });
});
