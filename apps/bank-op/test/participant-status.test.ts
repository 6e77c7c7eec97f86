// The directory stays in charge after registration: a client whose software it suspends, or whose
// certificate it revokes, stops working at its next request (once the one second the directory's
// Cache-Control max-age lets the bank reuse an answer has passed).
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { STATUS_MAX_AGE_SECONDS, startDirectory } from '@fapi-sandbox/directory';
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
/** Long enough for the directory's answer about a participant, reused by bank-op, to expire. */
const CACHE_MS = STATUS_MAX_AGE_SECONDS * 1000 + 150;

describe('software suspended in the directory', () => {
  it('stops a DPoP client without a certificate at PAR, token and authorization endpoints, and resumes on reactivation', async () => {
    const client = await tpp.register({ senderConstraint: 'dpop' });
    const dpop = await DpopSession.create();
    const authorized = await authorizeFapi2(tpp, client, { dpop });
    const pendingPar = await tpp.par(
      client,
      tpp.authorizationParams(client, await tpp.accountConsent(client), tpp.pkce()),
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
        tpp.authorizationParams(client, await tpp.accountConsent(client), tpp.pkce()),
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

describe("the directory's Cache-Control decides how long bank-op reuses its answer", () => {
  /** GETs the directory has answered for `path` so far (its request log). */
  const directoryReads = (path: string) =>
    sandbox.logs.filter((line) => line.party === 'directory' && line.msg.startsWith(`GET ${path} `)).length;
  const clientCredentials = (who: TestTpp, client: Awaited<ReturnType<TestTpp['register']>>) =>
    who.token(client, { grant_type: 'client_credentials', scope: 'accounts' });

  it('asks once for concurrent token requests within the window, and again after it: then a suspension bites', async () => {
    const client = await tpp.register();
    await sleep(CACHE_MS);
    const before = directoryReads(softwarePath());
    const answers = await Promise.all([1, 2, 3, 4].map(() => clientCredentials(tpp, client)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    // Four token requests, one question to the directory: the others shared its answer or reused it.
    expect(directoryReads(softwarePath()) - before).toBe(1);

    expect((await sandbox.directoryAdmin('PATCH', softwarePath(), { status: 'suspended' })).status).toBe(200);
    try {
      await sleep(CACHE_MS);
      const asked = directoryReads(softwarePath());
      const token = await clientCredentials(tpp, client);
      expectOAuthError(token, { status: 401, error: 'invalid_client', mentions: /suspended/ });
      // The window had passed: bank-op asked the directory again rather than reuse the old answer.
      expect(directoryReads(softwarePath())).toBe(asked + 1);
    } finally {
      expect((await sandbox.directoryAdmin('PATCH', softwarePath(), { status: 'active' })).status).toBe(200);
    }
    await sleep(CACHE_MS);
  });

  it("never answers one participant with another's answer: a suspended software is refused within the other's window", async () => {
    const budgetly = new TestTpp(sandbox, sandbox.config.participants.second);
    const theirs = await budgetly.register();
    const ours = await tpp.register();
    const theirPath = `/organisations/${budgetly.participant.orgId}/software-statements/${budgetly.participant.softwareId}`;
    expect((await sandbox.directoryAdmin('PATCH', theirPath, { status: 'suspended' })).status).toBe(200);
    try {
      await sleep(CACHE_MS);
      // Moneywise's active answer is fresh in bank-op's cache when Budgetly asks.
      expect((await clientCredentials(tpp, ours)).status).toBe(200);
      const asked = directoryReads(theirPath);
      const token = await clientCredentials(budgetly, theirs);
      expectOAuthError(token, { status: 401, error: 'invalid_client', mentions: /suspended/ });
      expect(directoryReads(theirPath)).toBe(asked + 1);
    } finally {
      expect((await sandbox.directoryAdmin('PATCH', theirPath, { status: 'active' })).status).toBe(200);
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
