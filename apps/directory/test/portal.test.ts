// The developer portal's API (issue #13, bring your own client): sign-up needs the sandbox's invite code,
// a developer token acts for its own organisation only, a bundle's keys are certified and published and
// its transport certificate fetches the SSA over mTLS; a learner's CSR is certified like the admin API's.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import type { ClientBundle } from '@fapi-sandbox/fapi-core/client-bundle';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { calculateJwkThumbprint, decodeJwt, type JWK } from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  everythingStored,
  generateCsr,
  oauthError,
  startTestDirectory,
  type TestDirectory,
} from './helpers.js';

let t: TestDirectory;
beforeAll(async () => {
  t = await startTestDirectory();
});
afterAll(() => t.close());

const inviteCode = () => fs.readFileSync(t.config.directory.inviteCodeFile, 'utf8').trim();

function post(path: string, body?: unknown, token?: string) {
  return t.call(`/portal${path}`, {
    method: 'POST',
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

interface Developer {
  orgId: string;
  token: string;
}

async function signUp(orgName: string): Promise<Developer> {
  const response = await post('/sign-up', { inviteCode: inviteCode(), orgName });
  expect(response.status).toBe(201);
  expect(response.headers.get('cache-control')).toBe('no-store');
  const body = (await response.json()) as {
    organisation: { orgId: string; orgName: string; status: string };
    developerToken: string;
  };
  expect(body.organisation).toMatchObject({ orgName, status: 'active' });
  return { orgId: body.organisation.orgId, token: body.developerToken };
}

const softwareBody = {
  clientName: 'Learner client',
  roles: ['AISP', 'PISP'],
  redirectUris: ['https://localhost:3443/callback'],
};

async function createSoftware(developer: Developer): Promise<string> {
  const response = await post(
    `/organisations/${developer.orgId}/software-statements`,
    softwareBody,
    developer.token,
  );
  expect(response.status).toBe(201);
  const body = (await response.json()) as { softwareId: string; jwksUri: string; orgId: string };
  expect(body.orgId).toBe(developer.orgId);
  expect(body.jwksUri).toBe(
    `${t.config.directory.web.origin}/organisations/${developer.orgId}/software-statements/${body.softwareId}/jwks`,
  );
  return body.softwareId;
}

describe('the invite code', () => {
  it('is created at first start in the data folder, readable by its owner only, and human-typable', () => {
    const file = t.config.directory.inviteCodeFile;
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(inviteCode()).toMatch(/^fapi-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  });

  it('stays the same across a restart', async () => {
    const before = inviteCode();
    await t.restart();
    expect(inviteCode()).toBe(before);
  });
});

describe('sign-up', () => {
  it('refuses a sign-up without the invite code (403 access_denied naming where to find it)', async () => {
    const response = await post('/sign-up', { orgName: 'Gatecrasher Ltd' });
    expect(response.status).toBe(403);
    const error = await oauthError(response);
    expect(error.error).toBe('access_denied');
    expect(error.error_description).toContain('pnpm --silent sandbox:info');
    expect(error.error_description).toContain('pnpm dev');
  });

  it('refuses a wrong invite code, and registers no organisation for it', async () => {
    const before = ((await (await t.call('/organisations')).json()) as { organisations: unknown[] })
      .organisations.length;
    const response = await post('/sign-up', { inviteCode: 'fapi-AAAA-BBBB', orgName: 'Gatecrasher Ltd' });
    expect(response.status).toBe(403);
    expect((await oauthError(response)).error).toBe('access_denied');
    const after = ((await (await t.call('/organisations')).json()) as { organisations: unknown[] })
      .organisations.length;
    expect(after).toBe(before);
  });

  it('accepts the invite code typed in lower case with spaces around it', async () => {
    const response = await post('/sign-up', {
      inviteCode: ` ${inviteCode().toLowerCase()} `,
      orgName: 'Careless Typist Ltd',
    });
    expect(response.status).toBe(201);
  });

  it('refuses a body with an unknown field or no organisation name (400, field named)', async () => {
    const response = await post('/sign-up', { inviteCode: inviteCode(), orgName: '', admin: true });
    expect(response.status).toBe(400);
    const { error_description } = await oauthError(response);
    expect(error_description).toContain('orgName');
    expect(error_description).toContain('admin');
  });

  it('registers an organisation and a developer token that the portal API accepts', async () => {
    const developer = await signUp('Acme Learner Ltd');
    expect(developer.token).toMatch(/^fdt_[A-Za-z0-9_-]{43}$/);
    const response = await t.call(`/portal/organisations/${developer.orgId}`, {
      headers: { authorization: `Bearer ${developer.token}` },
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ orgId: developer.orgId, softwareStatements: [] });
    // Public like every organisation: the bank and other TPPs read the directory.
    expect((await t.call(`/organisations/${developer.orgId}`)).status).toBe(200);
  });
});

describe('a developer token', () => {
  let a: Developer;
  let b: Developer;
  let softwareOfB: string;

  beforeAll(async () => {
    a = await signUp('Org A Ltd');
    b = await signUp('Org B Ltd');
    softwareOfB = await createSoftware(b);
  });

  it('is needed for every portal call (401 with the RFC 6750 challenge)', async () => {
    const missing = await post(`/organisations/${a.orgId}/software-statements`, softwareBody);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toContain('Bearer realm=');
    const wrong = await post(`/organisations/${a.orgId}/software-statements`, softwareBody, 'fdt_forged');
    expect(wrong.status).toBe(401);
    expect((await oauthError(wrong)).error).toBe('invalid_token');
    // The admin credential is not a developer token.
    const admin = await post(
      `/organisations/${a.orgId}/software-statements`,
      softwareBody,
      t.directory.adminCredential,
    );
    expect(admin.status).toBe(401);
  });

  it("of org A cannot read org B's organisation", async () => {
    const response = await t.call(`/portal/organisations/${b.orgId}`, {
      headers: { authorization: `Bearer ${a.token}` },
    });
    expect(response.status).toBe(403);
    const text = await response.text();
    expect(text).toContain('access_denied');
    expect(text).not.toContain(softwareOfB);
    expect(text).not.toContain('Org B Ltd');
  });

  it('of org A cannot register software under org B', async () => {
    const response = await post(`/organisations/${b.orgId}/software-statements`, softwareBody, a.token);
    expect(response.status).toBe(403);
    expect((await oauthError(response)).error_description).toContain(a.orgId);
    const list = (await (await t.call(`/organisations/${b.orgId}/software-statements`)).json()) as {
      softwareStatements: unknown[];
    };
    expect(list.softwareStatements).toHaveLength(1);
  });

  it("of org A cannot take a bundle or a certificate for org B's software", async () => {
    const bundle = await post(
      `/organisations/${b.orgId}/software-statements/${softwareOfB}/bundle`,
      undefined,
      a.token,
    );
    expect(bundle.status).toBe(403);
    expect(await bundle.text()).not.toContain('privateKeyPem');
    // Nor by naming its own organisation with B's software id.
    const crossed = await post(
      `/organisations/${a.orgId}/software-statements/${softwareOfB}/bundle`,
      undefined,
      a.token,
    );
    expect(crossed.status).toBe(404);
    const { csr } = await generateCsr('EC P-256');
    const certificate = await post(
      `/organisations/${b.orgId}/software-statements/${softwareOfB}/certificates`,
      { type: 'transport', csr },
      a.token,
    );
    expect(certificate.status).toBe(403);
    const issued = (await (await t.call(`/certificates?softwareId=${softwareOfB}`)).json()) as {
      certificates: unknown[];
    };
    expect(issued.certificates).toHaveLength(0);
  });

  it("registers software with the admin API's validation: an http redirect URI is refused", async () => {
    const response = await post(
      `/organisations/${a.orgId}/software-statements`,
      { ...softwareBody, redirectUris: ['http://localhost:3000/callback'] },
      a.token,
    );
    expect(response.status).toBe(400);
    expect((await oauthError(response)).error_description).toContain('FAPI 1.0 Part 1');
    const chosenId = await post(
      `/organisations/${a.orgId}/software-statements`,
      { ...softwareBody, softwareId: 'Mw3Tz7QkYp2Lr9DaX1bHcE' },
      a.token,
    );
    expect(chosenId.status).toBe(400);
  });
});

describe('a client bundle', () => {
  let developer: Developer;
  let softwareId: string;
  let bundle: ClientBundle;

  beforeAll(async () => {
    developer = await signUp('Bundle Learner Ltd');
    softwareId = await createSoftware(developer);
    const response = await post(
      `/organisations/${developer.orgId}/software-statements/${softwareId}/bundle`,
      undefined,
      developer.token,
    );
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    bundle = (await response.json()) as ClientBundle;
  });

  it('names the software, the parties of the running config, and what to trust', () => {
    const { config } = t;
    expect(bundle.format).toBe('fapi-sandbox/client-bundle@1');
    expect(bundle.organisation).toEqual({ orgId: developer.orgId, orgName: 'Bundle Learner Ltd' });
    expect(bundle.software).toMatchObject({
      softwareId,
      clientName: 'Learner client',
      roles: ['AISP', 'PISP'],
    });
    const { endpoints } = bundle;
    expect(endpoints.ssa).toBe(
      `${config.directory.mtls.origin}/organisations/${developer.orgId}/software-statements/${softwareId}/ssa`,
    );
    // Each party's trace is read on the origin that sees the learner's transport certificate.
    expect(Object.values(endpoints.trace)).toEqual(
      [config.directory.mtls, config.bankOp.mtls, config.bankApi.web].map(({ origin }) => `${origin}/trace`),
    );
    expect([endpoints.directory, endpoints.bankIssuer, endpoints.bankApi]).toEqual([
      config.directory.web.origin,
      config.bankOp.issuer,
      config.bankApi.web.origin,
    ]);
    expect(endpoints.bankDiscovery).toBe(`${config.bankOp.issuer}/.well-known/openid-configuration`);
    expect(bundle.resolve['mtls.directory.localhost']).toBe('127.0.0.1');
    expect(bundle.trust.serverCaBundlePem).toBe(fs.readFileSync(config.ca.serverTrustBundle, 'utf8'));
  });

  it('holds a transport certificate for this software (leaf then Directory CA) and its PKCS#8 key', () => {
    const [leaf, ca] = bundle.transport.certificatePem
      .split(/(?=-----BEGIN CERTIFICATE-----)/)
      .map((pem) => new X509Certificate(pem));
    expect(leaf!.subject).toContain(`CN=${softwareId}`);
    expect(leaf!.checkIssued(ca!)).toBe(true);
    expect(leaf!.serialNumber.toUpperCase()).toBe(bundle.transport.serialNumber);
    // A PKCS#8 private key Node can load (parsed, so no key header sits in the repository's source).
    expect(createPrivateKey({ key: bundle.transport.privateKeyPem, format: 'pem' }).type).toBe('private');
  });

  it('holds a PS256 RSA-2048 and an ES256 P-256 private key whose kids are their thumbprints, and the directory publishes the public halves', async () => {
    const keys = bundle.signing.privateJwks.keys;
    expect(keys.map((key) => [key.alg, key.kty, key.use])).toEqual([
      ['PS256', 'RSA', 'sig'],
      ['ES256', 'EC', 'sig'],
    ]);
    for (const key of keys) {
      expect(key.d).toBeTruthy();
      expect(key.x5c?.length).toBe(2);
      expect(key.kid).toBe(await calculateJwkThumbprint(key as JWK));
    }
    expect(bundle.signing.publicJwks.keys.every((key) => key.d === undefined)).toBe(true);
    const published = (await (await t.call(new URL(bundle.software.jwksUri).pathname)).json()) as {
      keys: JWK[];
    };
    const publishedSigning = published.keys.filter((key) => key.use === 'sig');
    expect(publishedSigning.map((key) => key.kid).sort()).toEqual(keys.map((key) => key.kid).sort());
    expect(JSON.stringify(published)).not.toContain('"d"');
  });

  it('holds an RSA-OAEP-256 and an ECDH-ES private key (use enc), and the directory publishes their public halves for the bank to encrypt ID tokens to', async () => {
    const keys = bundle.encryption!.privateJwks.keys;
    expect(keys.map((key) => [key.alg, key.kty, key.use])).toEqual([
      ['RSA-OAEP-256', 'RSA', 'enc'],
      ['ECDH-ES', 'EC', 'enc'],
    ]);
    for (const key of keys) {
      expect(key.d).toBeTruthy();
      expect(key.kid).toBe(await calculateJwkThumbprint(key as JWK));
    }
    const published = (await (await t.call(new URL(bundle.software.jwksUri).pathname)).json()) as {
      keys: JWK[];
    };
    const publishedEnc = published.keys.filter((key) => key.use === 'enc');
    expect(publishedEnc).toEqual(bundle.encryption!.publicJwks.keys);
    expect(publishedEnc.map((key) => key.kid)).toEqual(keys.map((key) => key.kid));
    expect(JSON.stringify(publishedEnc)).not.toMatch(/"(d|p|q|dp|dq|qi)"/);
    // The directory keeps no private encryption key either.
    expect(await everythingStored(t.config)).not.toContain(String(keys[0]!.d));
  });

  it("fetches the software's SSA over mTLS with the bundle's transport certificate and the bundle's trust", async () => {
    const dispatcher = createSandboxAgent(
      { cert: bundle.transport.certificatePem, key: bundle.transport.privateKeyPem },
      t.config,
    );
    const response = await fetch(bundle.endpoints.ssa, { dispatcher });
    await dispatcher.close();
    expect(response.status).toBe(200);
    const claims = decodeJwt(await response.text());
    expect(claims).toMatchObject({
      software_id: softwareId,
      org_id: developer.orgId,
      software_jwks_uri: bundle.software.jwksUri,
      software_redirect_uris: ['https://localhost:3443/callback'],
    });
  });

  it('is not kept: the directory stores the certificates and no private key', async () => {
    const stored = await everythingStored(t.config);
    const rsa = bundle.signing.privateJwks.keys[0]!;
    expect(stored).not.toContain(String(rsa.d));
    expect(stored).not.toContain(bundle.transport.privateKeyPem.split('\n')[1]!);
    const certificates = (await (await t.call(`/certificates?softwareId=${softwareId}`)).json()) as {
      certificates: { type: string; source: string }[];
    };
    expect(certificates.certificates.map((c) => [c.type, c.source]).sort()).toEqual([
      ['signing', 'bundle'],
      ['signing', 'bundle'],
      ['transport', 'bundle'],
    ]);
  });
});

/** A new organisation's new software, and its CSR for a signing key of `kind`, through the portal. */
async function uploadSigningCsr(orgName: string, kind: 'RSA 2048' | 'RSA 1024') {
  const developer = await signUp(orgName);
  const softwareId = await createSoftware(developer);
  const { csr } = await generateCsr(kind);
  const response = await post(
    `/organisations/${developer.orgId}/software-statements/${softwareId}/certificates`,
    { type: 'signing', csr },
    developer.token,
  );
  return { softwareId, response };
}

describe("a certificate from a learner's CSR", () => {
  it('is issued for their own key under the Directory CA, like the admin API issues one', async () => {
    const { softwareId, response } = await uploadSigningCsr('Own Key Ltd', 'RSA 2048');
    expect(response.status).toBe(201);
    const body = (await response.json()) as {
      certificate: { alg: string; source: string };
      chainPem: string;
    };
    expect(body.certificate).toMatchObject({ alg: 'PS256', source: 'csr' });
    expect(new X509Certificate(body.chainPem).subject).toContain(`CN=${softwareId}`);
  });

  it('refuses a CSR whose key FAPI does not allow (RSA 1024), naming the clause', async () => {
    const { response } = await uploadSigningCsr('Weak Key Ltd', 'RSA 1024');
    expect(response.status).toBe(400);
    expect((await oauthError(response)).error_description).toContain('FAPI 2.0 SP');
  });
});

describe('the portal pages', () => {
  const origin = () => t.config.directory.web.origin;

  function postForm(path: string, form: URLSearchParams, headers: Record<string, string> = {}) {
    return t.call(path, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: form.toString(),
    });
  }

  async function signUpInBrowser(orgName: string): Promise<string> {
    const response = await postForm(
      '/portal/forms/sign-up',
      new URLSearchParams({ inviteCode: inviteCode(), orgName }),
      { origin: origin() },
    );
    expect(response.status).toBe(303);
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      /^__Host-directory-portal=[A-Za-z0-9_-]{43}; Path=\/; Secure; HttpOnly; SameSite=Strict/,
    );
    return cookie.split(';')[0]!;
  }

  it('explain the portal and offer the sign-up form; the directory home links to them', async () => {
    const landing = await (await t.call('/portal')).text();
    expect(landing).toContain('name="inviteCode"');
    expect(landing).toContain('pnpm --silent sandbox:info');
    expect(landing).toContain('docs/workshop/lab-08-own-client.md');
    expect(await (await t.call('/ui')).text()).toContain('href="/portal"');
  });

  it('refuse a sign-up from another site, and one without the invite code', async () => {
    const crossSite = await postForm(
      '/portal/forms/sign-up',
      new URLSearchParams({ inviteCode: inviteCode(), orgName: 'Forged Ltd' }),
      { origin: 'https://evil.example' },
    );
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get('set-cookie')).toBeNull();
    const noCode = await postForm('/portal/forms/sign-up', new URLSearchParams({ orgName: 'No Code Ltd' }), {
      origin: origin(),
    });
    expect(noCode.status).toBe(403);
    expect(await noCode.text()).toContain('sandbox:info');
  });

  it('show the developer token once after sign-up, register software and download its bundle as an attachment', async () => {
    const cookie = await signUpInBrowser('Browser Learner Ltd');
    const first = await (await t.call('/portal', { headers: { cookie } })).text();
    const token = /fdt_[A-Za-z0-9_-]{43}/.exec(first)?.[0];
    expect(token).toBeTruthy();
    expect(await (await t.call('/portal', { headers: { cookie } })).text()).not.toContain(token!);

    const form = new URLSearchParams({
      clientName: 'Browser client',
      redirectUris: 'https://localhost:3443/callback\n',
    });
    form.append('roles', 'AISP');
    form.append('roles', 'PISP');
    const registered = await postForm('/portal/forms/software-statements', form, {
      origin: origin(),
      cookie,
    });
    expect(registered.status).toBe(303);
    const page = await (await t.call('/portal', { headers: { cookie } })).text();
    const softwareId = /forms\/software-statements\/([A-Za-z0-9]{22})\/bundle/.exec(page)?.[1];
    expect(softwareId).toBeTruthy();

    const download = await postForm(
      `/portal/forms/software-statements/${softwareId}/bundle`,
      new URLSearchParams(),
      { origin: origin(), cookie },
    );
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename="${softwareId}.bundle.json"`,
    );
    expect(download.headers.get('cache-control')).toBe('no-store');
    const bundle = (await download.json()) as ClientBundle;
    expect(bundle.software).toMatchObject({ softwareId, roles: ['AISP', 'PISP'] });

    // The same token drives the API for the same organisation.
    const api = await t.call(`/portal/organisations/${bundle.organisation.orgId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(api.status).toBe(200);
  });

  it('refuse a form without a portal session, and an http redirect URI with the clause', async () => {
    const form = new URLSearchParams({
      clientName: 'No session',
      roles: 'AISP',
      redirectUris: 'https://a.example/cb',
    });
    const anonymous = await postForm('/portal/forms/software-statements', form, { origin: origin() });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/portal');

    const cookie = await signUpInBrowser('Plain Http Ltd');
    const insecure = await postForm(
      '/portal/forms/software-statements',
      new URLSearchParams({ clientName: 'Insecure', roles: 'AISP', redirectUris: 'http://localhost/cb' }),
      { origin: origin(), cookie },
    );
    expect(insecure.status).toBe(400);
    expect(await insecure.text()).toContain('FAPI 1.0 Part 1');
  });
});
