// The directory stays in charge after registration: a client whose software it suspends, or whose
// certificate it revokes, stops working at its next request (after the bank's one-second cache).
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDirectory } from '@fapi-sandbox/directory';
import { pageOf } from '@fapi-sandbox/fapi-client/customer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError } from './support/expect-error.js';
import { authorizeFapi2 } from './support/flows.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { DpopSession, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
});
afterAll(async () => {
  await sandbox?.close();
});

const softwarePath = () =>
  `/organisations/${tpp.participant.orgId}/software-statements/${tpp.participant.softwareId}`;
const CACHE_MS = 1100;

describe('software suspended in the directory', () => {
  it('stops a DPoP client without a certificate at PAR, token and authorization endpoints, and resumes on reactivation', async () => {
    const client = await tpp.register({ senderConstraint: 'dpop' });
    const dpop = await DpopSession.create();
    const authorized = await authorizeFapi2(tpp, client, { dpop });
    const pendingPar = await tpp.par(
      client,
      tpp.authorizationParams(client, tpp.accountConsent(client), tpp.pkce()),
      {
        dpop,
      },
    );
    expect(pendingPar.status).toBe(201);

    expect((await sandbox.directoryAdmin('PATCH', softwarePath(), { status: 'suspended' })).status).toBe(200);
    try {
      await sleep(CACHE_MS);
      const token = await tpp.redeem(client, authorized.code, authorized.pkce, { dpop });
      expectOAuthError(token, { status: 401, error: 'invalid_client', mentions: /suspended/ });

      const par = await tpp.par(
        client,
        tpp.authorizationParams(client, tpp.accountConsent(client), tpp.pkce()),
        { dpop },
      );
      expectOAuthError(par, { status: 401, error: 'invalid_client', mentions: /suspended/ });

      const page = pageOf(
        await tpp.newBrowser().open(tpp.authorizationUrl(client, String(pendingPar.body.request_uri))),
      );
      expect(page.status).toBe(401);
    } finally {
      expect((await sandbox.directoryAdmin('PATCH', softwarePath(), { status: 'active' })).status).toBe(200);
    }
    await sleep(CACHE_MS);
    const again = await authorizeFapi2(tpp, client, { dpop });
    expect((await tpp.redeem(client, again.code, again.pkce, { dpop })).status).toBe(200);
  });

  it('refuses refresh for a suspended software', async () => {
    const client = await tpp.register();
    const authorized = await authorizeFapi2(tpp, client);
    const issued = await tpp.redeem(client, authorized.code, authorized.pkce);
    expect(issued.status).toBe(200);
    expect((await sandbox.directoryAdmin('PATCH', softwarePath(), { status: 'suspended' })).status).toBe(200);
    try {
      await sleep(CACHE_MS);
      const refresh = await tpp.token(client, {
        grant_type: 'refresh_token',
        refresh_token: String(issued.body.refresh_token),
      });
      expectOAuthError(refresh, { status: 401, error: 'invalid_client', mentions: /suspended/ });
    } finally {
      expect((await sandbox.directoryAdmin('PATCH', softwarePath(), { status: 'active' })).status).toBe(200);
    }
    await sleep(CACHE_MS);
  });
});

describe('certificate revoked in the directory', () => {
  it('stops a tls_client_auth client at its next request', async () => {
    const client = await tpp.register({ authMethod: 'tls_client_auth' });
    const authorized = await authorizeFapi2(tpp, client);
    const serial = new X509Certificate(readFileSync(tpp.participant.transportCert)).serialNumber;
    const revoked = await sandbox.directoryAdmin('POST', `/certificates/${serial}/revoke`, {
      reason: 'keyCompromise',
    });
    expect(revoked.status).toBe(200);
    await sleep(CACHE_MS);
    const token = await tpp.redeem(client, authorized.code, authorized.pkce);
    expectOAuthError(token, { status: 401, error: 'invalid_client', mentions: /revoked/ });
  });
});

describe('directory unreachable', () => {
  it('fails closed: registration and token requests answer 503, never pass unchecked', async () => {
    // The demo TPP's transport certificate was revoked above: the second TPP plays this one.
    const budgetly = new TestTpp(sandbox, sandbox.config.participants.second);
    const client = await budgetly.register({ senderConstraint: 'dpop' });
    const dpop = await DpopSession.create();
    const ssa = await budgetly.ssa();
    await sandbox.directory.stop();
    try {
      await sleep(CACHE_MS);
      const token = await tpp.token(
        client,
        { grant_type: 'client_credentials', scope: 'accounts' },
        { dpop },
      );
      expectOAuthError(token, { status: 503, error: 'temporarily_unavailable', clause: /RFC 6749/ });
      const registration = await budgetly.registerRaw({
        software_statement: ssa,
        tls_client_certificate_bound_access_tokens: true,
      });
      expectOAuthError(registration, { status: 503, error: 'temporarily_unavailable' });
    } finally {
      sandbox.directory = await startDirectory({ config: sandbox.config });
    }
  });
});
