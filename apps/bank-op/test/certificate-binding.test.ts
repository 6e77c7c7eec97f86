// A token is bound only to a certificate of its own software (RFC 8705 §3, OB DCR v3.3 §4.2): at the token
// endpoint the certificate presented must be a transport certificate the directory issued to the client's
// software, active now. The attacks: a private_key_jwt client presenting another participant's transport
// certificate, or one with its own subject from a CA nobody trusts, to get a token bound to it.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { certificateThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { decodeJwt } from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError } from './support/expect-error.js';
import { authorizeFapi2 } from './support/flows.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { type RegisteredClient, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;
let other: TestTpp;
let client: RegisteredClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
  other = new TestTpp(sandbox, sandbox.config.participants.second);
  client = await tpp.register({ authMethod: 'private_key_jwt', senderConstraint: 'mtls' });
});
afterAll(async () => {
  await sandbox?.close();
});

const CLIENT_CREDENTIALS = { grant_type: 'client_credentials', scope: 'accounts' };

function expectNoToken(res: { body: Record<string, unknown> }) {
  expect(res.body.access_token).toBeUndefined();
  expect(res.body.refresh_token).toBeUndefined();
}

describe('the certificate a token is bound to', () => {
  it("binds the client's own transport certificate", async () => {
    const res = await tpp.token(client, CLIENT_CREDENTIALS);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const own = certificateThumbprint(new X509Certificate(readFileSync(tpp.participant.transportCert)));
    expect(decodeJwt(String(res.body.access_token)).cnf).toEqual({ 'x5t#S256': own });
  });

  it("refuses a private_key_jwt client presenting another participant's transport certificate, and issues no token", async () => {
    const res = await tpp.token(client, CLIENT_CREDENTIALS, { agent: other.transport });
    expectOAuthError(res, {
      status: 400,
      error: 'invalid_grant',
      clause: /RFC 8705 section 3/,
      mentions: new RegExp(
        `belongs to OU=${other.participant.orgId} CN=${other.participant.softwareId}.*Fix: present the transport certificate the directory issued to your software ${tpp.participant.softwareId}`,
      ),
    });
    expectNoToken(res);
  });

  it("refuses to redeem a code with another participant's transport certificate", async () => {
    const authorized = await authorizeFapi2(tpp, client);
    const res = await tpp.redeem(client, authorized.code, authorized.pkce, { agent: other.transport });
    expectOAuthError(res, {
      status: 400,
      error: 'invalid_grant',
      clause: /RFC 8705 section 3/,
      mentions: new RegExp(`your software ${tpp.participant.softwareId}`),
    });
    expectNoToken(res);
  });

  it("refuses a certificate with the client's own subject from an untrusted CA", async () => {
    const neg = sandbox.config.negative;
    const agent = createSandboxAgent(
      { certFile: neg.untrustedTransportCert, keyFile: neg.untrustedTransportKey },
      sandbox.config,
    );
    try {
      const res = await tpp.token(client, CLIENT_CREDENTIALS, { agent });
      expectOAuthError(res, {
        status: 400,
        error: 'invalid_grant',
        clause: /RFC 8705 section 3/,
        mentions: /not issued by the Directory CA/,
      });
      expectNoToken(res);
    } finally {
      await agent.close();
    }
  });

  it("refuses a tls_client_auth client presenting another participant's certificate as a client (401)", async () => {
    const mtlsClient = await tpp.register({ authMethod: 'tls_client_auth', senderConstraint: 'mtls' });
    const res = await tpp.token(mtlsClient, CLIENT_CREDENTIALS, { agent: other.transport });
    expectOAuthError(res, { status: 401, error: 'invalid_client' });
    expectNoToken(res);
  });
});

describe('self_signed_tls_client_auth (RFC 8705 §2.2)', () => {
  it('is not advertised, because a self-signed certificate is no transport certificate of the directory', async () => {
    const response = await fetch(`${tpp.issuer}/.well-known/openid-configuration`, {
      dispatcher: sandbox.plain,
    });
    const metadata = (await response.json()) as Record<string, string[]>;
    expect(metadata.token_endpoint_auth_methods_supported).not.toContain('self_signed_tls_client_auth');
    expect(metadata.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['private_key_jwt', 'tls_client_auth']),
    );
  });

  it('is refused at registration, naming the methods to use instead', async () => {
    const res = await tpp.registerRaw({
      software_statement: await tpp.ssa(),
      token_endpoint_auth_method: 'self_signed_tls_client_auth',
      redirect_uris: tpp.participant.redirectUris,
      tls_client_certificate_bound_access_tokens: true,
    });
    expectOAuthError(res, {
      status: 400,
      error: 'invalid_client_metadata',
      clause: /RFC 8705 section 2\.2/,
      mentions: /not offered.*Fix: use tls_client_auth with your transport certificate, or private_key_jwt/,
    });
  });
});
