// Dynamic client registration (RFC 7591) and management (RFC 7592) as an open-banking bank does it:
// only software the directory vouches for (its signed SSA), only over mTLS with that software's
// directory-issued transport certificate, and only metadata the SSA and the bank allow.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import {
  decodeJwt,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { fetch } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectOAuthError } from './support/expect-error.js';
import { managementOf } from './support/registration-management.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { json, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;
let second: TestTpp;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
  second = new TestTpp(sandbox, sandbox.config.participants.second);
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  await sandbox?.close();
});

async function registrationBody(overrides: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return {
    software_statement: await tpp.ssa(),
    token_endpoint_auth_method: 'private_key_jwt',
    tls_client_certificate_bound_access_tokens: true,
    redirect_uris: tpp.participant.redirectUris,
    ...overrides,
  };
}

/** A statement signed with the directory's own SSA key: only its header or claims are wrong. */
async function signedByDirectory(claims: JWTPayload, header: { typ?: string }): Promise<string> {
  const { keys } = JSON.parse(fs.readFileSync(sandbox.config.directory.ssaSigningJwks, 'utf8')) as {
    keys: JWK[];
  };
  const jwk = keys.find((key) => key.alg === 'PS256' && key.d !== undefined)!;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'PS256', kid: jwk.kid, ...header })
    .sign(await importJWK(jwk, 'PS256'));
}

function agentWith(certFile: string, keyFile: string) {
  return createSandboxAgent({ certFile, keyFile }, sandbox.config);
}

describe('registration the directory vouches for', () => {
  it('registers a FAPI 2.0 client (the default) with metadata taken from the SSA', async () => {
    const ssa = await tpp.ssa();
    const res = await tpp.registerRaw(
      await registrationBody({
        software_statement: ssa,
        client_name: 'Not the directory name',
        scope: 'openid accounts',
      }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const claims = decodeJwt(ssa);
    expect(res.body).toMatchObject({
      fapi_profile: 'fapi2',
      client_name: claims.software_client_name,
      jwks_uri: claims.software_jwks_uri,
      software_id: tpp.participant.softwareId,
      org_id: tpp.participant.orgId,
      redirect_uris: tpp.participant.redirectUris,
      response_types: ['code'],
      require_pushed_authorization_requests: true,
      tls_client_certificate_bound_access_tokens: true,
      token_endpoint_auth_method: 'private_key_jwt',
      scope: 'openid accounts',
      registration_client_uri: expect.stringMatching(
        new RegExp(`^${sandbox.config.bankOp.mtls.origin}/register/`),
      ),
      registration_access_token: expect.any(String),
    });
  });

  it('registers tls_client_auth with the subject of the transport certificate', async () => {
    const res = await tpp.registerRaw(
      await registrationBody({ token_endpoint_auth_method: 'tls_client_auth' }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(String(res.body.tls_client_auth_subject_dn)).toContain(`CN=${tpp.participant.softwareId}`);
    expect(String(res.body.tls_client_auth_subject_dn)).toContain(`OU=${tpp.participant.orgId}`);
  });

  it('accepts the transport certificate subject in RFC 4514 order and in certificate order', async () => {
    const { orgId, softwareId } = tpp.participant;
    for (const dn of [
      `CN=${softwareId},organizationIdentifier=PSDGB-OB-${orgId},OU=${orgId},O=Moneywise Ltd,C=GB`,
      `C=GB, O=Moneywise Ltd, OU=${orgId}, 2.5.4.97=PSDGB-OB-${orgId}, CN=${softwareId}`,
    ]) {
      const res = await tpp.registerRaw(
        await registrationBody({
          token_endpoint_auth_method: 'tls_client_auth',
          tls_client_auth_subject_dn: dn,
        }),
      );
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      // RFC 8705 §2.1.2: registered as an RFC 4514 string, last RDN first.
      expect(res.body.tls_client_auth_subject_dn).toMatch(new RegExp(`^CN=${softwareId},.*,C=GB$`));
    }
  });

  it('refuses a tls_client_auth_subject_dn that is not the transport certificate subject', async () => {
    const res = await tpp.registerRaw(
      await registrationBody({
        token_endpoint_auth_method: 'tls_client_auth',
        tls_client_auth_subject_dn: 'CN=someone-else,O=Elsewhere Ltd,C=GB',
      }),
    );
    expectOAuthError(res, {
      status: 400,
      error: 'invalid_client_metadata',
      clause: /RFC 8705 section 2\.1\.2/,
    });
  });

  const refusedMetadata: [string, Record<string, unknown>, string, RegExp][] = [
    [
      'no sender constraint (FAPI 2.0)',
      { tls_client_certificate_bound_access_tokens: undefined },
      'invalid_client_metadata',
      /5\.3\.2\.1-4/,
    ],
    [
      'DPoP for FAPI 1.0 Advanced',
      {
        fapi_profile: 'fapi1-advanced',
        tls_client_certificate_bound_access_tokens: undefined,
        dpop_bound_access_tokens: true,
      },
      'invalid_client_metadata',
      /5\.2\.2-6/,
    ],
    [
      'both sender constraints',
      { dpop_bound_access_tokens: true },
      'invalid_client_metadata',
      /5\.3\.2\.1-5/,
    ],
    [
      'a redirect URI the SSA does not list',
      { redirect_uris: ['https://evil.example.com/callback'] },
      'invalid_redirect_uri',
      /OB DCR/,
    ],
    ['another jwks_uri', { jwks_uri: 'https://evil.example.com/jwks' }, 'invalid_client_metadata', /OB DCR/],
    ['inline jwks', { jwks: { keys: [] } }, 'invalid_client_metadata', /OB DCR/],
    [
      'client_secret_basic',
      { token_endpoint_auth_method: 'client_secret_basic' },
      'invalid_client_metadata',
      /5\.3\.2\.1-3/,
    ],
    ['a public client', { token_endpoint_auth_method: 'none' }, 'invalid_client_metadata', /5\.3\.2\.1-3/],
    [
      'response_type code id_token under FAPI 2.0',
      { response_types: ['code id_token'] },
      'invalid_client_metadata',
      /5\.3\.2\.2-1/,
    ],
    ['the password grant', { grant_types: ['password'] }, 'invalid_client_metadata', /5\.3\.2\.1-2/],
    ['an unknown profile', { fapi_profile: 'fapi0' }, 'invalid_client_metadata', /registration policy/],
    [
      'an RS256 assertion algorithm',
      { token_endpoint_auth_signing_alg: 'RS256' },
      'invalid_client_metadata',
      /5\.4\.1-1/,
    ],
  ];
  for (const [name, overrides, error, clause] of refusedMetadata) {
    it(`refuses ${name}`, async () => {
      const body = await registrationBody(overrides);
      for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete body[key];
      const res = await tpp.registerRaw(body);
      expectOAuthError(res, { status: 400, error, clause });
    });
  }

  it('refuses scopes beyond the software roles (an AISP asking for payments)', async () => {
    const res = await second.registerRaw({
      software_statement: await second.ssa(),
      tls_client_certificate_bound_access_tokens: true,
      redirect_uris: second.participant.redirectUris,
      scope: 'openid accounts payments',
    });
    expectOAuthError(res, { status: 400, error: 'invalid_client_metadata', clause: /OB DCR/ });
  });

  it('refuses a body that is not JSON', async () => {
    const res = await json(
      await fetch(`${sandbox.config.bankOp.mtls.origin}/register`, {
        method: 'POST',
        dispatcher: tpp.transport,
        headers: { 'content-type': 'application/json' },
        body: 'software_statement=x',
      }),
    );
    expectOAuthError(res, { status: 400, error: 'invalid_client_metadata', clause: /RFC 7591/ });
  });
});

describe('registration refused for the software statement', () => {
  it('refuses a registration without software_statement', async () => {
    const body = await registrationBody();
    delete body.software_statement;
    expectOAuthError(await tpp.registerRaw(body), {
      status: 400,
      error: 'invalid_software_statement',
      clause: /RFC 7591/,
    });
  });

  it('refuses an unsigned SSA (alg none)', async () => {
    const claims = decodeJwt(await tpp.ssa());
    const unsigned = new UnsecuredJWT(claims).encode();
    const res = await tpp.registerRaw(await registrationBody({ software_statement: unsigned }));
    expectOAuthError(res, { status: 400, error: 'invalid_software_statement', clause: /RFC 7591/ });
  });

  it('refuses an SSA signed by someone other than the directory', async () => {
    const claims = decodeJwt(await tpp.ssa());
    const { privateKey } = await generateKeyPair('PS256');
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'PS256', typ: 'JWT', kid: 'forged' })
      .sign(privateKey);
    const res = await tpp.registerRaw(await registrationBody({ software_statement: forged }));
    expectOAuthError(res, {
      status: 400,
      error: 'invalid_software_statement',
      mentions: /not signed by the directory/,
    });
  });

  it('refuses an SSA signed with a directory key id but another key', async () => {
    const ssa = await tpp.ssa();
    const header = JSON.parse(Buffer.from(ssa.split('.')[0]!, 'base64url').toString()) as { kid: string };
    const { privateKey } = await generateKeyPair('PS256');
    const forged = await new SignJWT(decodeJwt(ssa))
      .setProtectedHeader({ alg: 'PS256', typ: 'JWT', kid: header.kid })
      .sign(privateKey);
    const res = await tpp.registerRaw(await registrationBody({ software_statement: forged }));
    expectOAuthError(res, {
      status: 400,
      error: 'invalid_software_statement',
      mentions: /not signed by the directory/,
    });
  });

  // The bank is the party that must enforce the statement, so it is as strict as the TPP's own check.
  it("refuses an SSA the directory signed that is not typed as a statement (typ 'at+jwt')", async () => {
    const retyped = await signedByDirectory(decodeJwt(await tpp.ssa()), { typ: 'at+jwt' });
    const res = await tpp.registerRaw(await registrationBody({ software_statement: retyped }));
    expectOAuthError(res, {
      status: 400,
      error: 'invalid_software_statement',
      clause: /RFC 8725/,
      mentions: /typ/,
    });
  });

  it('refuses an SSA the directory signed without a typ header', async () => {
    const untyped = await signedByDirectory(decodeJwt(await tpp.ssa()), {});
    const res = await tpp.registerRaw(await registrationBody({ software_statement: untyped }));
    expectOAuthError(res, { status: 400, error: 'invalid_software_statement', mentions: /typ/ });
  });

  it('refuses an SSA the directory signed without a jti (a claim the TPP requires too)', async () => {
    const { jti: _jti, ...claims } = decodeJwt(await tpp.ssa());
    const withoutJti = await signedByDirectory(claims, { typ: 'JWT' });
    const res = await tpp.registerRaw(await registrationBody({ software_statement: withoutJti }));
    expectOAuthError(res, { status: 400, error: 'invalid_software_statement', mentions: /no jti claim/ });
  });

  it('refuses an expired SSA', async () => {
    const body = await registrationBody();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(Date.now() + 3700 * 1000));
    const res = await tpp.registerRaw(body);
    expectOAuthError(res, { status: 400, error: 'invalid_software_statement', mentions: /expired/ });
  });

  it('refuses the SSA of a software the directory has suspended since', async () => {
    const body = await registrationBody();
    const path = `/organisations/${tpp.participant.orgId}/software-statements/${tpp.participant.softwareId}`;
    expect((await sandbox.directoryAdmin('PATCH', path, { status: 'suspended' })).status).toBe(200);
    try {
      const res = await tpp.registerRaw(body);
      expectOAuthError(res, { status: 400, error: 'unapproved_software_statement', mentions: /suspended/ });
    } finally {
      expect((await sandbox.directoryAdmin('PATCH', path, { status: 'active' })).status).toBe(200);
    }
  });
});

describe('registration refused for the transport certificate', () => {
  it('refuses a registration without a client certificate', async () => {
    const res = await tpp.registerRaw(await registrationBody(), sandbox.plain);
    expectOAuthError(res, { status: 401, error: 'invalid_client', clause: /OB DCR/ });
  });

  it('refuses a certificate not issued by the directory (same subject, untrusted CA)', async () => {
    const neg = sandbox.config.negative;
    const agent = agentWith(neg.untrustedTransportCert, neg.untrustedTransportKey);
    try {
      const res = await tpp.registerRaw(await registrationBody(), agent);
      expectOAuthError(res, {
        status: 403,
        error: 'unapproved_software_statement',
        mentions: /not issued by the Directory CA/,
      });
    } finally {
      await agent.close();
    }
  });

  it('refuses an expired transport certificate', async () => {
    const neg = sandbox.config.negative;
    const agent = agentWith(neg.expiredTransportCert, neg.expiredTransportKey);
    try {
      const res = await tpp.registerRaw(await registrationBody(), agent);
      expectOAuthError(res, {
        status: [401, 403],
        error: ['unapproved_software_statement', 'invalid_client'],
      });
    } finally {
      await agent.close();
    }
  });

  it('refuses a transport certificate the directory revoked', async () => {
    const neg = sandbox.config.negative;
    const agent = agentWith(neg.revokedTransportCert, neg.revokedTransportKey);
    try {
      const res = await tpp.registerRaw(await registrationBody(), agent);
      expectOAuthError(res, { status: 403, error: 'unapproved_software_statement', mentions: /revoked/ });
    } finally {
      await agent.close();
    }
  });

  it("refuses another software's certificate with this software's SSA", async () => {
    const res = await tpp.registerRaw(await registrationBody(), second.transport);
    expectOAuthError(res, {
      status: 403,
      error: 'unapproved_software_statement',
      mentions: /not to the SSA/,
    });
  });

  it('does not register on the web listener', async () => {
    const res = await json(
      await fetch(`${sandbox.config.bankOp.issuer}/register`, {
        method: 'POST',
        dispatcher: sandbox.plain,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(await registrationBody()),
      }),
    );
    expectOAuthError(res, { status: 400, error: 'invalid_request', mentions: /mTLS/ });
  });
});

describe('client management with the registration access token (RFC 7592)', () => {
  it('reads, updates (rotating the token), and deletes a registration', async () => {
    const client = await tpp.register();
    const management = managementOf(tpp, client);

    const read = await management.read(client.registrationAccessToken);
    expect(read.status).toBe(200);
    expect(read.body.client_id).toBe(client.clientId);

    const updated = await management.update(client.registrationAccessToken);
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.redirect_uris).toEqual([tpp.participant.redirectUris[0]]);
    const rotated = String(updated.body.registration_access_token);
    expect(rotated).not.toBe(client.registrationAccessToken);

    expectOAuthError(await management.read(client.registrationAccessToken), {
      status: 401,
      error: 'invalid_token',
    });

    expect((await management.remove(rotated)).status).toBe(204);
    expectOAuthError(await management.read(rotated), { status: 401, error: 'invalid_token' });
  });

  it("refuses management from another software's certificate", async () => {
    const client = await tpp.register();
    const res = await json(
      await fetch(client.registrationClientUri, {
        dispatcher: second.transport,
        headers: { authorization: `Bearer ${client.registrationAccessToken}` },
      }),
    );
    expectOAuthError(res, { status: 403, error: 'unapproved_software_statement' });
  });

  it('refuses an update with another software statement', async () => {
    const client = await tpp.register();
    const res = await json(
      await fetch(client.registrationClientUri, {
        method: 'PUT',
        dispatcher: tpp.transport,
        headers: {
          authorization: `Bearer ${client.registrationAccessToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          client_id: client.clientId,
          software_statement: await second.ssa(),
          tls_client_certificate_bound_access_tokens: true,
        }),
      }),
    );
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(['unapproved_software_statement', 'invalid_software_statement']).toContain(res.body.error);
  });

  it('keeps a registration unusable after a wrong registration access token', async () => {
    const client = await tpp.register();
    const res = await json(
      await fetch(client.registrationClientUri, {
        dispatcher: tpp.transport,
        headers: { authorization: `Bearer ${randomUUID()}` },
      }),
    );
    expectOAuthError(res, { status: 401, error: 'invalid_token' });
  });
});
