// SSAs: signed with the directory's published keys, handed only to the software's own, valid, unrevoked
// transport certificate over mTLS, and withheld from suspended software.
import { createSandboxAgent, transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { type Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_SSA_PATH, oauthError, startTestDirectory, type TestDirectory } from './helpers.js';

let t: TestDirectory;
const agents: Agent[] = [];

beforeAll(async () => {
  t = await startTestDirectory();
});
afterAll(async () => {
  await Promise.all(agents.map((agent) => agent.close()));
  await t.close();
});

function agent(files?: { certFile: string; keyFile: string }): Agent {
  const created = files ? createSandboxAgent(files, t.config) : createSandboxAgent({}, t.config);
  agents.push(created);
  return created;
}

function fetchSsa(dispatcher: Agent, path = DEMO_SSA_PATH(t.config)) {
  return fetch(`${t.config.directory.mtls.origin}${path}/ssa`, { dispatcher });
}

async function directoryJwks(): Promise<JSONWebKeySet> {
  return (await (await t.call('/.well-known/jwks.json')).json()) as JSONWebKeySet;
}

describe('SSA for the demo TPP', () => {
  it('is a PS256 JWT that verifies with the directory JWKS and carries the software and organisation', async () => {
    const demo = t.config.participants.demo;
    const dispatcher = transportAgentFor(demo, t.config);
    agents.push(dispatcher);
    const response = await fetchSsa(dispatcher);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/jwt/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const ssa = await response.text();

    const jwks = await directoryJwks();
    const { payload, protectedHeader } = await jwtVerify(ssa, createLocalJWKSet(jwks), {
      issuer: t.config.directory.web.origin,
      typ: 'JWT',
      algorithms: ['PS256'],
    });
    expect(protectedHeader.alg).toBe('PS256');
    expect(jwks.keys.map((k) => k.kid)).toContain(protectedHeader.kid);
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(Math.abs(payload.iat! - Date.now() / 1000)).toBeLessThan(30);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(payload).toMatchObject({
      software_id: demo.softwareId,
      software_client_id: demo.softwareId,
      software_client_name: demo.clientName,
      software_redirect_uris: demo.redirectUris,
      software_roles: demo.roles,
      software_jwks_uri: `${t.config.directory.web.origin}${DEMO_SSA_PATH(t.config)}/jwks`,
      software_logo_uri: demo.logoUri,
      software_version: '1.0',
      software_status: 'Active',
      org_id: demo.orgId,
      org_name: demo.orgName,
      org_status: 'Active',
    });
    expect(typeof payload.software_client_description).toBe('string');

    const again = await (await fetchSsa(dispatcher)).text();
    expect(decodeProtectedHeader(again).kid).toBe(protectedHeader.kid);
    const { payload: second } = await jwtVerify(again, createLocalJWKSet(jwks));
    expect(second.jti).not.toBe(payload.jti);
  });

  it('does not verify once a claim is altered', async () => {
    const dispatcher = transportAgentFor(t.config.participants.demo, t.config);
    agents.push(dispatcher);
    const [header, claims, signature] = (await (await fetchSsa(dispatcher)).text()).split('.');
    const altered = JSON.parse(Buffer.from(claims!, 'base64url').toString()) as Record<string, unknown>;
    altered.software_roles = ['AISP', 'PISP', 'CBPII'];
    const forged = `${header}.${Buffer.from(JSON.stringify(altered)).toString('base64url')}.${signature}`;
    await expect(jwtVerify(forged, createLocalJWKSet(await directoryJwks()))).rejects.toThrow(/signature/);
  });

  it('is served to the second TPP for its own software only', async () => {
    const second = t.config.participants.second;
    const dispatcher = transportAgentFor(second, t.config);
    agents.push(dispatcher);
    const own = await fetchSsa(
      dispatcher,
      `/organisations/${second.orgId}/software-statements/${second.softwareId}`,
    );
    expect(own.status).toBe(200);
    const { payload } = await jwtVerify(await own.text(), createLocalJWKSet(await directoryJwks()));
    expect(payload.software_id).toBe(second.softwareId);

    const foreign = await fetchSsa(dispatcher);
    expect(foreign.status).toBe(403);
    const error = await oauthError(foreign);
    expect(error.error).toBe('access_denied');
    expect(error.error_description).toMatch(/belongs to software Bd8Kx2NvQm5Wt4RsY7jGhA/);
  });
});

describe('SSA refused', () => {
  it('without a client certificate: 401', async () => {
    const response = await fetchSsa(agent());
    expect(response.status).toBe(401);
    const error = await oauthError(response);
    expect(error.error).toBe('invalid_client');
    expect(error.error_description).toMatch(/No client certificate.*Fix: present the transport certificate/);
  });

  it('with a revoked transport certificate: 403', async () => {
    const response = await fetchSsa(
      agent({
        certFile: t.config.negative.revokedTransportCert,
        keyFile: t.config.negative.revokedTransportKey,
      }),
    );
    expect(response.status).toBe(403);
    const error = await oauthError(response);
    expect(error.error).toBe('access_denied');
    expect(error.error_description).toMatch(/was revoked by the directory.*RFC 5280 section 3\.3/);
  });

  it('with an expired transport certificate: 403', async () => {
    const response = await fetchSsa(
      agent({
        certFile: t.config.negative.expiredTransportCert,
        keyFile: t.config.negative.expiredTransportKey,
      }),
    );
    expect(response.status).toBe(403);
    expect((await oauthError(response)).error_description).toMatch(/expired/);
  });

  it('with a certificate carrying the demo subject from an untrusted CA: 403', async () => {
    const response = await fetchSsa(
      agent({
        certFile: t.config.negative.untrustedTransportCert,
        keyFile: t.config.negative.untrustedTransportKey,
      }),
    );
    expect(response.status).toBe(403);
    expect((await oauthError(response)).error_description).toMatch(
      /does not chain to the FAPI Sandbox Directory CA/,
    );
  });

  it('on the web listener, pointing to the mTLS one: 401', async () => {
    const response = await t.call(`${DEMO_SSA_PATH(t.config)}/ssa`);
    expect(response.status).toBe(401);
    expect((await oauthError(response)).error_description).toContain(
      `${t.config.directory.mtls.origin}${DEMO_SSA_PATH(t.config)}/ssa`,
    );
  });

  it('for software that does not exist: 404', async () => {
    const dispatcher = transportAgentFor(t.config.participants.demo, t.config);
    agents.push(dispatcher);
    const response = await fetchSsa(
      dispatcher,
      `/organisations/${t.config.participants.demo.orgId}/software-statements/NoSuchSoftware`,
    );
    expect(response.status).toBe(404);
  });
});

describe('suspension', () => {
  const demoPath = () => DEMO_SSA_PATH(t.config);
  const participantStatus = async (softwareId: string) => {
    const { softwareStatements } = (await (await t.call('/participants')).json()) as {
      softwareStatements: { softwareId: string; status: string }[];
    };
    return softwareStatements.find((s) => s.softwareId === softwareId)?.status;
  };

  it('of the software shows in the participants list and stops SSAs until it is reactivated', async () => {
    const demo = t.config.participants.demo;
    const dispatcher = transportAgentFor(demo, t.config);
    agents.push(dispatcher);

    const suspended = await t.admin('PATCH', demoPath(), { status: 'suspended' });
    expect(suspended.status).toBe(200);
    expect(await suspended.json()).toMatchObject({ status: 'suspended', ownStatus: 'suspended' });
    expect(await participantStatus(demo.softwareId)).toBe('suspended');

    const refused = await fetchSsa(dispatcher);
    expect(refused.status).toBe(403);
    expect((await oauthError(refused)).error_description).toMatch(
      /Software statement Mw3Tz7QkYp2Lr9DaX1bHcE is suspended/,
    );

    // The certificate itself stays valid, and the status endpoint tells a bank the software is suspended.
    const { x5tS256 } = (
      (await (await t.call(`/certificates?softwareId=${demo.softwareId}&type=transport`)).json()) as {
        certificates: { x5tS256: string; status: string }[];
      }
    ).certificates.find((c) => c.status === 'active')!;
    const status = (await (await t.call(`/certificate-status?x5t%23S256=${x5tS256}`)).json()) as Record<
      string,
      unknown
    >;
    expect(status).toMatchObject({ status: 'active', softwareStatus: 'suspended' });

    expect((await t.admin('PATCH', demoPath(), { status: 'active' })).status).toBe(200);
    expect(await participantStatus(demo.softwareId)).toBe('active');
    expect((await fetchSsa(dispatcher)).status).toBe(200);
  });

  it('of the organisation suspends its software too', async () => {
    const second = t.config.participants.second;
    const dispatcher = transportAgentFor(second, t.config);
    agents.push(dispatcher);
    const path = `/organisations/${second.orgId}/software-statements/${second.softwareId}`;

    expect((await t.admin('PATCH', `/organisations/${second.orgId}`, { status: 'suspended' })).status).toBe(
      200,
    );
    expect(await participantStatus(second.softwareId)).toBe('suspended');
    expect(await (await t.call(path)).json()).toMatchObject({
      status: 'suspended',
      ownStatus: 'active',
      orgStatus: 'suspended',
    });
    const refused = await fetchSsa(dispatcher, path);
    expect(refused.status).toBe(403);
    expect((await oauthError(refused)).error_description).toMatch(
      /Organisation 0015800001041RFAAY is suspended/,
    );

    expect((await t.admin('PATCH', `/organisations/${second.orgId}`, { status: 'active' })).status).toBe(200);
    expect((await fetchSsa(dispatcher, path)).status).toBe(200);
  });
});

describe('trace', () => {
  it('records the SSA request with the certificate presented, the check and the decoded SSA', async () => {
    const dispatcher = transportAgentFor(t.config.participants.demo, t.config);
    agents.push(dispatcher);
    const interactionId = 'f3f1c3a0-8a2e-4b7e-9c1d-5e6f7a8b9c0d';
    const response = await fetch(`${t.config.directory.mtls.origin}${DEMO_SSA_PATH(t.config)}/ssa`, {
      dispatcher,
      headers: { 'x-fapi-interaction-id': interactionId },
    });
    expect(response.status).toBe(200);
    // The event is recorded when the response finishes, which may be just after the client has read it.
    const event = await vi.waitFor(() => {
      const [recorded] = t.directory.trace.list({ interactionId });
      if (!recorded) throw new Error('not recorded yet');
      return recorded;
    });
    expect(event?.certificate?.subject).toContain(`CN=${t.config.participants.demo.softwareId}`);
    expect(event?.checks).toEqual([expect.objectContaining({ passed: true, clause: 'RFC 8705 §2.1' })]);
    expect(event?.jwts[0]?.claims).toMatchObject({ software_id: t.config.participants.demo.softwareId });
  });
});
