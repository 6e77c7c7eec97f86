// fapi-core's typed directory client, against a running directory (kept here: fapi-core must not depend on apps).
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { createDirectoryClient, DirectoryError } from '@fapi-sandbox/fapi-core/directory-client';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { createSandboxAgent, transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import { generateKeyPair, SignJWT } from 'jose';
import type { Agent } from 'undici';
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
});
