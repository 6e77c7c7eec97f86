// Attacks on sender-constraining: a token used without its certificate or key, with another client's,
// with a revoked, expired or untrusted certificate, or with the wrong scheme for its binding.
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { STATUS_MAX_AGE_SECONDS } from '@fapi-sandbox/directory';
import { createCertificateRequest } from '@fapi-sandbox/fapi-core/certificate-request';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountAccess, type Sandbox, startSandbox } from './support/sandbox.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

const agentWith = (certFile: string, keyFile: string) => createSandboxAgent({ certFile, keyFile }, sb.config);

function expectRefused(
  response: { status: number; body: { error: string; Errors: { Message: string }[] }; headers: Headers },
  scheme: 'Bearer' | 'DPoP',
  message: RegExp,
) {
  expect(response.status).toBe(401);
  expect(response.body.error).toBe('invalid_token');
  expect(response.body.Errors[0]!.Message).toMatch(message);
  expect(response.headers.get('www-authenticate')).toMatch(new RegExp(`^${scheme} .*error="invalid_token"`));
}

describe('mTLS-bound tokens (RFC 8705 §3)', () => {
  it('are refused on a connection without a client certificate', async () => {
    const client = sb.clients.moneywiseMtls;
    const { token } = await accountAccess(sb, client);
    const noCert = createSandboxAgent({}, sb.config);
    const response = await sb.call(client, 'GET', '/aisp/accounts', { token, dispatcher: noCert });
    expectRefused(response, 'Bearer', /without a client certificate \(RFC 8705 section 3/);
    await noCert.close();
  });

  it("are refused with another client's certificate", async () => {
    const client = sb.clients.moneywiseMtls;
    const { token } = await accountAccess(sb, client);
    const response = await sb.call(client, 'GET', '/aisp/accounts', {
      token,
      dispatcher: sb.clients.budgetlyMtls.dispatcher,
    });
    expectRefused(response, 'Bearer', /thumbprint .* is not the token's cnf.x5t#S256/);
  });

  it("of another client are refused with this client's certificate", async () => {
    const { token: budgetlyToken } = await accountAccess(sb, sb.clients.budgetlyMtls);
    const response = await sb.call(sb.clients.moneywiseMtls, 'GET', '/aisp/accounts', {
      token: budgetlyToken,
    });
    expectRefused(response, 'Bearer', /is not the token's cnf.x5t#S256/);
  });

  it("are refused with another software's certificate even when cnf matches it (OB DCR 4.2)", async () => {
    // bank-op binds only a client's own transport certificate; this token is forged with bank-op's test key
    // so that its cnf names Budgetly's certificate while it was issued to Moneywise's software.
    const moneywise = sb.clients.moneywiseMtls;
    const budgetly = sb.clients.budgetlyMtls;
    const { token: real } = await accountAccess(sb, moneywise);
    const token = await sb.forger.alter(real, { cnf: { 'x5t#S256': budgetly.certificateThumbprint } });
    const response = await sb.call(moneywise, 'GET', '/aisp/accounts', {
      token,
      dispatcher: budgetly.dispatcher,
    });
    expectRefused(
      response,
      'Bearer',
      new RegExp(
        `transport certificate of ${budgetly.participant.orgId}/${budgetly.participant.softwareId}, not as a transport certificate of ${moneywise.participant.orgId}/${moneywise.participant.softwareId}.*RFC 8705 section 3, OB DCR v3\\.3 section 4\\.2.*Fix: present the transport certificate the directory issued to your software ${moneywise.participant.softwareId}`,
      ),
    );
  });

  it('are refused over a certificate the directory revoked', async () => {
    const client = sb.clients.moneywiseMtls;
    const { token } = await accountAccess(sb, client);
    const revoked = agentWith(
      sb.config.negative.revokedTransportCert,
      sb.config.negative.revokedTransportKey,
    );
    const response = await sb.call(client, 'GET', '/aisp/accounts', { token, dispatcher: revoked });
    expectRefused(response, 'Bearer', /directory reports the client certificate .* as revoked/);
    await revoked.close();
  });

  it('are refused on a kept-alive connection once the directory revokes its certificate (after the status window)', async () => {
    const client = sb.clients.moneywiseMtls;
    const { token } = await accountAccess(sb, client);
    // A transport certificate of Moneywise's own software, issued for this test only, then revoked.
    const { orgId, softwareId } = sb.config.participants.demo;
    const request = await createCertificateRequest();
    const issued = await sb.directoryAdmin(
      'POST',
      `/organisations/${orgId}/software-statements/${softwareId}/certificates`,
      { type: 'transport', csr: request.csrPem },
    );
    expect(issued.status, await issued.clone().text()).toBe(201);
    const { certificate, chainPem } = (await issued.json()) as {
      certificate: { serialNumber: string };
      chainPem: string;
    };
    const folder = fs.mkdtempSync(path.join(sb.config.dataDir, 'revoked-mid-connection-'));
    fs.writeFileSync(path.join(folder, 'transport.crt'), chainPem);
    fs.writeFileSync(path.join(folder, 'transport.key'), request.privateKeyPem);
    const connection = agentWith(path.join(folder, 'transport.crt'), path.join(folder, 'transport.key'));
    try {
      // The certificate passes the transport check; the token is bound to another one, so binding refuses.
      const first = await sb.call(client, 'GET', '/aisp/accounts', { token, dispatcher: connection });
      expectRefused(first, 'Bearer', /thumbprint .* is not the token's cnf\.x5t#S256/);
      const revoked = await sb.directoryAdmin('POST', `/certificates/${certificate.serialNumber}/revoke`, {});
      expect(revoked.status).toBe(200);
      await sleep(STATUS_MAX_AGE_SECONDS * 1000 + 150);
      // The same keep-alive connection: its certificate is parsed once, but the directory is asked again.
      const next = await sb.call(client, 'GET', '/aisp/accounts', { token, dispatcher: connection });
      expectRefused(next, 'Bearer', /directory reports the client certificate .* as revoked/);
    } finally {
      await connection.close();
    }
  });

  it('are refused over an expired certificate', async () => {
    const client = sb.clients.moneywiseMtls;
    const { token } = await accountAccess(sb, client);
    const expired = agentWith(
      sb.config.negative.expiredTransportCert,
      sb.config.negative.expiredTransportKey,
    );
    const response = await sb.call(client, 'GET', '/aisp/accounts', { token, dispatcher: expired });
    expectRefused(response, 'Bearer', /was not accepted: CERT_HAS_EXPIRED/);
    await expired.close();
  });

  it('are refused over a certificate from a CA outside the ecosystem', async () => {
    const client = sb.clients.moneywiseMtls;
    const { token } = await accountAccess(sb, client);
    const untrusted = agentWith(
      sb.config.negative.untrustedTransportCert,
      sb.config.negative.untrustedTransportKey,
    );
    const response = await sb.call(client, 'GET', '/aisp/accounts', { token, dispatcher: untrusted });
    expectRefused(response, 'Bearer', /was not accepted/);
    await untrusted.close();
  });

  it('are refused when sent with the DPoP scheme', async () => {
    const { token } = await accountAccess(sb, sb.clients.moneywiseMtls);
    // A DPoP client with a valid proof of its own key presents the mTLS-bound token.
    const response = await sb.call(sb.clients.moneywiseDpop, 'GET', '/aisp/accounts', { token });
    expectRefused(response, 'DPoP', /bound to a client certificate .* sent with the DPoP scheme/);
  });
});

describe('DPoP-bound tokens (RFC 9449 §7.1)', () => {
  it("of another client are refused with this client's proof key", async () => {
    const { token: budgetlyToken } = await accountAccess(sb, sb.clients.budgetlyDpop);
    const response = await sb.call(sb.clients.moneywiseDpop, 'GET', '/aisp/accounts', {
      token: budgetlyToken,
    });
    expectRefused(response, 'DPoP', /DPoP proof is signed by key .* but the token is bound to key/);
  });

  it('are refused when sent with the Bearer scheme, even over mTLS', async () => {
    const { token } = await accountAccess(sb, sb.clients.moneywiseDpop);
    const response = await sb.call(sb.clients.moneywiseDpop, 'GET', '/aisp/accounts', {
      token,
      scheme: 'Bearer',
      proof: false,
      dispatcher: sb.clients.moneywiseMtls.dispatcher,
    });
    expectRefused(
      response,
      'Bearer',
      /DPoP-bound but was sent with the Bearer scheme \(RFC 9449 section 7.1\)/,
    );
  });

  it('are refused without a DPoP proof', async () => {
    const { token } = await accountAccess(sb, sb.clients.moneywiseDpop);
    const response = await sb.call(sb.clients.moneywiseDpop, 'GET', '/aisp/accounts', {
      token,
      proof: false,
    });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_dpop_proof');
    expect(response.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_dpop_proof"/);
  });
});

describe('tokens that are not sender-constrained (FAPI 2.0 SP §5.3.4-5)', () => {
  it('are refused even with a valid certificate', async () => {
    const client = sb.clients.moneywiseMtls;
    const real = await sb.tokens.clientCredentials(client, 'accounts');
    const token = await sb.forger.alter(real, { cnf: undefined });
    const response = await sb.call(client, 'GET', '/aisp/account-access-consents/aac-x', { token });
    expectRefused(response, 'Bearer', /not sender-constrained/);
  });
});
