// fapi-core's typed directory client, against a running directory (kept here: fapi-core must not depend on apps).
import { createHash, randomUUID, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import {
  createDirectoryClient,
  DirectoryError,
  type DirectoryExchange,
} from '@fapi-sandbox/fapi-core/directory-client';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { createSandboxAgent, transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import { generateKeyPair, SignJWT } from 'jose';
import { type Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDirectory, type TestDirectory } from './helpers.js';

let t: TestDirectory;
const agents: Agent[] = [];

beforeAll(async () => {
  t = await startTestDirectory();
});
afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.close()));
  await t.close();
});

const client = () => createDirectoryClient({ config: t.config, dispatcher: t.web });

describe('directory client', () => {
  it('reads participants, a software statement, its JWKS and the directory JWKS', async () => {
    const demo = t.config.participants.demo;
    const participants = await client().participants();
    expect(participants.authorisationServers[0]?.issuer).toBe(t.config.bankOp.issuer);
    expect(participants.softwareStatements.map((s) => s.softwareId).sort()).toEqual(
      [demo.softwareId, t.config.participants.second.softwareId].sort(),
    );

    const software = await client().softwareStatement(demo.orgId, demo.softwareId);
    expect(software).toMatchObject({
      clientName: demo.clientName,
      status: 'active',
      redirectUris: demo.redirectUris,
    });
    const softwareJwks = await client().softwareJwks(demo.orgId, demo.softwareId);
    expect(softwareJwks.keys.length).toBeGreaterThan(0);
    expect((await client().jwks()).keys.some((key) => key.alg === 'PS256')).toBe(true);
  });

  it('reads certificate status by thumbprint', async () => {
    const thumbprint = (file: string) =>
      createHash('sha256')
        .update(new X509Certificate(fs.readFileSync(file)).raw)
        .digest('base64url');
    expect(
      (await client().certificateStatus(thumbprint(t.config.participants.demo.transportCert))).status,
    ).toBe('active');
    expect(
      (await client().certificateStatus(thumbprint(t.config.negative.revokedTransportCert))).status,
    ).toBe('revoked');
    expect(
      (await client().certificateStatus(thumbprint(t.config.negative.untrustedTransportCert))).status,
    ).toBe('unknown');
  });

  it("fetches the demo TPP's SSA with its transport certificate and verifies it", async () => {
    const demo = t.config.participants.demo;
    const transport = transportAgentFor(demo, t.config);
    agents.push(transport);
    const ssa = await client().fetchSsa(demo.orgId, demo.softwareId, transport);
    const claims = await client().verifySsa(ssa);
    expect(claims).toMatchObject({
      iss: t.config.directory.web.origin,
      software_id: demo.softwareId,
      org_id: demo.orgId,
    });
  });

  it('reports refusals as DirectoryError with the status and OAuth error', async () => {
    const demo = t.config.participants.demo;
    const revoked = createSandboxAgent(
      { certFile: t.config.negative.revokedTransportCert, keyFile: t.config.negative.revokedTransportKey },
      t.config,
    );
    agents.push(revoked);
    const refusal = await client()
      .fetchSsa(demo.orgId, demo.softwareId, revoked)
      .catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(DirectoryError);
    expect(refusal).toMatchObject({ status: 403, error: 'access_denied' });

    const missing = await client()
      .softwareStatement(demo.orgId, 'NoSuchSoftware')
      .catch((err: unknown) => err);
    expect(missing).toMatchObject({ status: 404, error: 'not_found' });
  });

  it('refuses an SSA not signed by the directory as invalid_software_statement', async () => {
    const { privateKey } = await generateKeyPair('PS256');
    const forged = await new SignJWT({
      software_id: 'x',
      org_id: 'y',
      software_jwks_uri: 'https://x',
      software_redirect_uris: [],
    })
      .setProtectedHeader({ alg: 'PS256', typ: 'JWT', kid: (await client().jwks()).keys[0]!.kid! })
      .setIssuer(t.config.directory.web.origin)
      .setIssuedAt()
      .setExpirationTime('1h')
      .setJti('forged')
      .sign(privateKey);
    const error = await client()
      .verifySsa(forged)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({
      status: 400,
      error: 'invalid_software_statement',
      clause: 'RFC 7591 §3.2.2',
    });
  });

  it('reports every exchange to onExchange and sends the caller’s x-fapi-interaction-id', async () => {
    const demo = t.config.participants.demo;
    const exchanges: DirectoryExchange[] = [];
    const observed = createDirectoryClient({
      config: t.config,
      dispatcher: t.web,
      onExchange: (exchange) => exchanges.push(exchange),
    });
    const transport = transportAgentFor(demo, t.config);
    agents.push(transport);
    const interactionId = randomUUID();

    const ssa = await observed.fetchSsa(demo.orgId, demo.softwareId, transport, { interactionId });
    await observed.verifySsa(ssa, { interactionId });
    await observed.participants();

    expect(exchanges.map((e) => [e.operation, e.method, e.status, e.interactionId])).toEqual([
      ['fetchSsa', 'GET', 200, interactionId],
      ['jwks', 'GET', 200, interactionId],
      ['participants', 'GET', 200, undefined],
    ]);
    const [ssaExchange, jwksExchange, participantsExchange] = exchanges as [
      DirectoryExchange,
      DirectoryExchange,
      DirectoryExchange,
    ];
    expect(ssaExchange.url).toBe(
      `${t.config.directory.mtls.origin}/organisations/${demo.orgId}/software-statements/${demo.softwareId}/ssa`,
    );
    expect(ssaExchange.requestHeaders).toEqual({
      accept: 'application/jwt',
      'x-fapi-interaction-id': interactionId,
    });
    expect(ssaExchange.body?.trim()).toBe(ssa);
    expect(ssaExchange.responseHeaders?.['content-type']).toMatch(/application\/jwt/);
    expect(ssaExchange.startedAt).toBeInstanceOf(Date);
    expect(ssaExchange.durationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(jwksExchange.body!).keys.length).toBeGreaterThan(0);
    expect(participantsExchange.requestHeaders).not.toHaveProperty('x-fapi-interaction-id');

    // The directory filed the interaction's requests under the id the client sent; Moneywise reads back
    // the one its transport certificate made (the anonymous JWKS read is no participant's).
    expect(t.directory.trace.list({ interactionId }).map((e) => e.url)).toEqual([
      expect.stringMatching(/\/ssa$/),
      '/.well-known/jwks.json',
    ]);
    const trace = await fetch(`${t.config.directory.mtls.origin}/trace?interaction_id=${interactionId}`, {
      dispatcher: transport,
    });
    const events = ((await trace.json()) as { events: { url?: string }[] }).events;
    expect(events.map((e) => e.url)).toEqual([expect.stringMatching(/\/ssa$/)]);
  });

  it('reports refusals and unreachable directories to onExchange too', async () => {
    const exchanges: DirectoryExchange[] = [];
    const observed = createDirectoryClient({
      config: t.config,
      dispatcher: t.web,
      onExchange: (exchange) => exchanges.push(exchange),
    });
    const missing = await observed
      .softwareStatement(t.config.participants.demo.orgId, 'NoSuchSoftware')
      .catch((err: unknown) => err);
    expect(missing).toBeInstanceOf(DirectoryError);
    expect(exchanges[0]).toMatchObject({ operation: 'softwareStatement', status: 404 });
    expect(JSON.parse(exchanges[0]!.body!)).toMatchObject({ error: 'not_found' });

    const elsewhere = createDirectoryClient({
      config: {
        ...t.config,
        directory: {
          ...t.config.directory,
          web: { ...t.config.directory.web, origin: 'https://127.0.0.1:1' },
        },
      },
      dispatcher: t.web,
      onExchange: (exchange) => exchanges.push(exchange),
    });
    await expect(elsewhere.participants()).rejects.toThrow();
    expect(exchanges[1]).toMatchObject({
      operation: 'participants',
      url: 'https://127.0.0.1:1/participants',
    });
    expect(exchanges[1]!.status).toBeUndefined();
    expect(exchanges[1]!.error).toBeInstanceOf(Error);
  });

  it('fails the call when the exchange hook throws, so a trace that must be complete cannot miss one', async () => {
    const observed = createDirectoryClient({
      config: t.config,
      dispatcher: t.web,
      onExchange: () => {
        throw new Error('trace store is full');
      },
    });
    await expect(observed.jwks()).rejects.toThrow('trace store is full');
  });
});
