// The admin API: creating organisations, authorisation servers and software statements, the status
// lifecycle, and every kind of bad input refused with a 4xx that changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCsr, oauthError, startTestDirectory, type TestDirectory } from './helpers.js';

let t: TestDirectory;

beforeAll(async () => {
  t = await startTestDirectory();
});
afterAll(async () => {
  await t.close();
});

/** Everything the public reads show, to compare before and after a refused request. */
async function snapshot(): Promise<string> {
  const parts = await Promise.all(
    ['/organisations', '/participants', '/certificates'].map((path) => t.call(path)),
  );
  return JSON.stringify(await Promise.all(parts.map((response) => response.json())));
}

const software = (overrides: Record<string, unknown> = {}) => ({
  clientName: 'Spendwise',
  roles: ['AISP'],
  redirectUris: ['https://spendwise.example/callback'],
  ...overrides,
});

describe('creating participants', () => {
  it('creates an organisation, its software statement and authorisation server, all visible in the participants list', async () => {
    const org = await t.admin('POST', '/organisations', {
      orgId: 'SpendwiseLtd0001',
      orgName: 'Spendwise Ltd',
    });
    expect(org.status).toBe(201);
    expect(org.headers.get('location')).toBe('/organisations/SpendwiseLtd0001');
    expect(await org.json()).toMatchObject({
      orgId: 'SpendwiseLtd0001',
      orgName: 'Spendwise Ltd',
      status: 'active',
    });

    const created = await t.admin(
      'POST',
      '/organisations/SpendwiseLtd0001/software-statements',
      software({
        description: 'Budgeting app',
        logoUri: 'https://spendwise.example/logo.svg',
        roles: ['AISP', 'PISP'],
      }),
    );
    expect(created.status).toBe(201);
    const body = (await created.json()) as { softwareId: string; jwksUri: string; status: string };
    expect(body.softwareId).toMatch(/^[A-Za-z0-9]{22}$/);
    expect(body.status).toBe('active');
    expect(body.jwksUri).toBe(
      `${t.config.directory.web.origin}/organisations/SpendwiseLtd0001/software-statements/${body.softwareId}/jwks`,
    );

    const server = await t.admin('POST', '/organisations/SpendwiseLtd0001/authorisation-servers', {
      issuer: 'https://as.spendwise.example',
      apiBaseUrl: 'https://api.spendwise.example/open-banking/v3.1',
      customerFriendlyName: 'Spendwise Bank',
    });
    expect(server.status).toBe(201);
    expect(await server.json()).toMatchObject({
      discoveryUrl: 'https://as.spendwise.example/.well-known/openid-configuration',
    });

    const participants = (await (await t.call('/participants')).json()) as {
      authorisationServers: { issuer: string }[];
      softwareStatements: { softwareId: string; roles: string[]; status: string }[];
    };
    expect(participants.authorisationServers.map((s) => s.issuer)).toContain('https://as.spendwise.example');
    expect(participants.softwareStatements).toContainEqual(
      expect.objectContaining({ softwareId: body.softwareId, roles: ['AISP', 'PISP'], status: 'active' }),
    );
  });

  it('mints an organisation id when none is given', async () => {
    const response = await t.admin('POST', '/organisations', { orgName: 'Minted Ltd' });
    expect(response.status).toBe(201);
    expect(((await response.json()) as { orgId: string }).orgId).toMatch(/^[A-Za-z0-9]{18}$/);
  });
});

describe('status lifecycle', () => {
  it('revoking software revokes its certificates, empties its JWKS and is final', async () => {
    await t.admin('POST', '/organisations', { orgId: 'RevokeMeLtd0001', orgName: 'Revoke Me Ltd' });
    const { softwareId } = (await (
      await t.admin(
        'POST',
        '/organisations/RevokeMeLtd0001/software-statements',
        software({ softwareId: 'RevokeMeApp01' }),
      )
    ).json()) as { softwareId: string };
    const path = `/organisations/RevokeMeLtd0001/software-statements/${softwareId}`;
    for (const type of ['transport', 'signing']) {
      expect(
        (await t.admin('POST', `${path}/certificates`, { type, csr: (await generateCsr()).csr })).status,
      ).toBe(201);
    }
    expect(((await (await t.call(`${path}/jwks`)).json()) as { keys: unknown[] }).keys).toHaveLength(1);

    const revoked = await t.admin('PATCH', path, { status: 'revoked' });
    expect(revoked.status).toBe(200);
    const { certificates } = (await (await t.call(`${path}/certificates`)).json()) as {
      certificates: { status: string; revocationReason: string }[];
    };
    expect(certificates.map((c) => [c.status, c.revocationReason])).toEqual([
      ['revoked', 'cessationOfOperation'],
      ['revoked', 'cessationOfOperation'],
    ]);
    expect(((await (await t.call(`${path}/jwks`)).json()) as { keys: unknown[] }).keys).toEqual([]);

    const before = await snapshot();
    const reactivate = await t.admin('PATCH', path, { status: 'active' });
    expect(reactivate.status).toBe(409);
    expect((await oauthError(reactivate)).error_description).toMatch(/revocation is final/);
    const certify = await t.admin('POST', `${path}/certificates`, {
      type: 'transport',
      csr: (await generateCsr()).csr,
    });
    expect(certify.status).toBe(409);
    expect(await snapshot()).toBe(before);
  });

  it('revoking an organisation revokes all its software', async () => {
    await t.admin('POST', '/organisations', { orgId: 'GoneLtd000001', orgName: 'Gone Ltd' });
    await t.admin(
      'POST',
      '/organisations/GoneLtd000001/software-statements',
      software({ softwareId: 'GoneApp00001' }),
    );
    expect((await t.admin('PATCH', '/organisations/GoneLtd000001', { status: 'revoked' })).status).toBe(200);
    expect(
      await (await t.call('/organisations/GoneLtd000001/software-statements/GoneApp00001')).json(),
    ).toMatchObject({
      status: 'revoked',
      ownStatus: 'revoked',
    });
    const more = await t.admin('POST', '/organisations/GoneLtd000001/software-statements', software());
    expect(more.status).toBe(409);
  });
});

describe('bad input changes nothing', () => {
  it('refuses duplicate ids and issuers with 409', async () => {
    const demo = t.config.participants.demo;
    const before = await snapshot();
    const duplicateOrg = await t.admin('POST', '/organisations', {
      orgId: demo.orgId,
      orgName: 'Copycat Ltd',
    });
    expect(duplicateOrg.status).toBe(409);
    expect((await oauthError(duplicateOrg)).error_description).toMatch(
      `organisation with id ${demo.orgId} already exists`,
    );
    // Software ids are unique across organisations, as they name the client everywhere.
    const duplicateSoftware = await t.admin(
      'POST',
      `/organisations/${t.config.participants.second.orgId}/software-statements`,
      software({ softwareId: demo.softwareId }),
    );
    expect(duplicateSoftware.status).toBe(409);
    const duplicateIssuer = await t.admin('POST', `/organisations/${demo.orgId}/authorisation-servers`, {
      issuer: t.config.bankOp.issuer,
      apiBaseUrl: 'https://elsewhere.example/api',
      customerFriendlyName: 'Fake bank',
    });
    expect(duplicateIssuer.status).toBe(409);
    expect(await snapshot()).toBe(before);
  });

  it('refuses unknown organisations with 404', async () => {
    const before = await snapshot();
    for (const [method, path, body] of [
      ['POST', '/organisations/NoSuchOrg000/software-statements', software()],
      ['PATCH', '/organisations/NoSuchOrg000', { status: 'suspended' }],
      [
        'POST',
        '/organisations/NoSuchOrg000/authorisation-servers',
        { issuer: 'https://x.example', apiBaseUrl: 'https://x.example/api', customerFriendlyName: 'X' },
      ],
      [
        'PATCH',
        `/organisations/NoSuchOrg000/software-statements/${t.config.participants.demo.softwareId}`,
        { status: 'suspended' },
      ],
    ] as const) {
      const response = await t.admin(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect((await oauthError(response)).error).toBe('not_found');
    }
    expect(await snapshot()).toBe(before);
  });

  it('refuses invalid bodies with 400 naming the field and, where one applies, the clause', async () => {
    const orgId = t.config.participants.demo.orgId;
    const before = await snapshot();
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', '/organisations', {}, /orgName/],
      ['POST', '/organisations', { orgName: '   ' }, /orgName: must not be empty/],
      ['POST', '/organisations', { orgName: 'X', orgId: '../etc' }, /orgId must be 3 to 64 letters/],
      ['POST', '/organisations', { orgName: 'X', role: 'admin' }, /role/],
      ['POST', '/organisations', { orgName: 'O'.repeat(65) }, /orgName: must be at most 64 characters/],
      [
        'POST',
        `/organisations/${orgId}/software-statements`,
        software({ redirectUris: ['http://insecure.example/cb'] }),
        /redirectUris\.0: .*FAPI 1\.0 Part 1 section 5\.2\.2-20/,
      ],
      [
        'POST',
        `/organisations/${orgId}/software-statements`,
        software({ redirectUris: ['https://x.example/cb#frag'] }),
        /redirectUris\.0/,
      ],
      [
        'POST',
        `/organisations/${orgId}/software-statements`,
        software({ redirectUris: [] }),
        /at least one redirect URI/,
      ],
      ['POST', `/organisations/${orgId}/software-statements`, software({ roles: [] }), /at least one role/],
      ['POST', `/organisations/${orgId}/software-statements`, software({ roles: ['ROOT'] }), /roles\.0/],
      [
        'POST',
        `/organisations/${orgId}/software-statements`,
        software({ logoUri: 'javascript:alert(1)' }),
        /logoUri/,
      ],
      ['PATCH', `/organisations/${orgId}`, { status: 'deleted' }, /status/],
      ['PATCH', `/organisations/${orgId}`, {}, /status/],
    ];
    for (const [method, path, body, pattern] of cases) {
      const response = await t.admin(method, path, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = await oauthError(response);
      expect(error.error).toBe('invalid_request');
      expect(error.error_description).toMatch(pattern);
    }
    expect(await snapshot()).toBe(before);
  });

  it('refuses every admin operation without the admin credential (401) or with a wrong one (401)', async () => {
    const demo = t.config.participants.demo;
    const before = await snapshot();
    const operations: [string, string, unknown][] = [
      ['POST', '/organisations', { orgName: 'Sneaky Ltd' }],
      ['PATCH', `/organisations/${demo.orgId}`, { status: 'revoked' }],
      [
        'POST',
        `/organisations/${demo.orgId}/authorisation-servers`,
        { issuer: 'https://x.example', apiBaseUrl: 'https://x.example/a', customerFriendlyName: 'X' },
      ],
      ['POST', `/organisations/${demo.orgId}/software-statements`, software()],
      [
        'PATCH',
        `/organisations/${demo.orgId}/software-statements/${demo.softwareId}`,
        { status: 'suspended' },
      ],
      [
        'POST',
        `/organisations/${demo.orgId}/software-statements/${demo.softwareId}/certificates`,
        { type: 'transport', csr: 'x' },
      ],
      ['POST', '/certificates/00AA/revoke', {}],
    ];
    for (const [method, path, body] of operations) {
      for (const credential of [
        null,
        'wrong',
        `${t.directory.adminCredential}x`,
        t.directory.adminCredential.slice(1),
      ]) {
        const response = await t.admin(method, path, body, { credential });
        expect(response.status, `${method} ${path} with ${credential}`).toBe(401);
        expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="FAPI Sandbox Directory"/);
        expect(['unauthorized', 'invalid_token']).toContain((await oauthError(response)).error);
      }
      const basic = await t.call(path, {
        method,
        headers: {
          authorization: `Basic ${Buffer.from(`admin:${t.directory.adminCredential}`).toString('base64')}`,
        },
      });
      expect(basic.status).toBe(401);
    }
    expect(await snapshot()).toBe(before);
  });

  it('refuses a wrong content type (415), an oversized body (413) and malformed JSON (400)', async () => {
    const before = await snapshot();
    const authorization = `Bearer ${t.directory.adminCredential}`;
    const send = (contentType: string, body: string) =>
      t.call('/organisations', {
        method: 'POST',
        headers: { authorization, 'content-type': contentType },
        body,
      });

    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const response = await send(
        contentType,
        contentType.includes('form') ? 'orgName=Form+Ltd' : '{"orgName":"Typed Ltd"}',
      );
      expect(response.status, contentType).toBe(415);
      expect((await oauthError(response)).error_description).toMatch(/Content-Type: application\/json/);
    }
    const oversized = await send(
      'application/json',
      JSON.stringify({ orgName: 'Big Ltd', padding: 'x'.repeat(100_000) }),
    );
    expect(oversized.status).toBe(413);
    const malformed = await send('application/json', '{"orgName": "Broken Ltd"');
    expect(malformed.status).toBe(400);
    expect((await oauthError(malformed)).error_description).toMatch(/not valid JSON/);
    expect(await snapshot()).toBe(before);
  });

  it('answers malformed paths and headers with 4xx', async () => {
    const before = await snapshot();
    expect((await t.call('/organisations/%E0%A4%A')).status).toBe(400);
    expect((await t.admin('PATCH', '/organisations/%ZZ', { status: 'revoked' })).status).toBe(400);
    const badInteractionId = await t.call('/participants', {
      headers: { 'x-fapi-interaction-id': 'not-a-uuid' },
    });
    expect(badInteractionId.status).toBe(400);
    expect((await oauthError(badInteractionId)).error_description).toMatch(
      /FAPI 1\.0 Part 1 section 6\.2\.1-11/,
    );
    expect(await snapshot()).toBe(before);
  });

  it('never answered 500', () => {
    expect(t.logs.filter((line) => line.status === 500)).toEqual([]);
  });
});
