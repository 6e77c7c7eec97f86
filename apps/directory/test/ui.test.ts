// The web page: browsing is public, escaping holds, and suspend/revoke need the admin credential and a
// same-origin form post.

import { transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import { parseSetCookie } from 'cookie';
import { decodeJwt } from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SSA_PATH, startTestDirectory, type TestDirectory } from './helpers.js';

let t: TestDirectory;

beforeAll(async () => {
  t = await startTestDirectory();
});
afterAll(async () => {
  await t.close();
});

const origin = () => t.config.directory.web.origin;
const softwarePage = () => `/ui${DEMO_SSA_PATH(t.config)}`;

function post(path: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  return t.call(path, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

async function signIn(): Promise<string> {
  const response = await post(
    '/ui/login',
    { credential: t.directory.adminCredential, next: softwarePage() },
    { origin: origin() },
  );
  expect(response.status).toBe(303);
  const cookie = response.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(
    /^__Host-directory-session=[A-Za-z0-9_-]{43}; Path=\/; Secure; HttpOnly; SameSite=Strict/,
  );
  const { name, value } = parseSetCookie(cookie);
  return `${name}=${value}`;
}

async function demoStatus(): Promise<string> {
  return ((await (await t.call(DEMO_SSA_PATH(t.config))).json()) as { status: string }).status;
}

describe('browsing', () => {
  it('shows participants with status badges, behind a strict Content-Security-Policy', async () => {
    const response = await t.call('/ui');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toMatch(
      /default-src 'none'.*form-action 'self'.*frame-ancestors 'none'/,
    );
    const page = await response.text();
    for (const name of [
      t.config.bank.orgName,
      t.config.participants.demo.orgName,
      t.config.participants.second.clientName,
    ]) {
      expect(page).toContain(name);
    }
    expect(page).toContain('<span class="badge active">active</span>');
    expect(page).not.toContain('<form method="post" action="/ui/certificates');
    expect((await t.call('/', { redirect: 'manual' })).headers.get('location')).toBe('/ui');
  });

  it("shows a software statement's certificates and its SSA decoded, with the curl command that fetches it", async () => {
    const page = await (await t.call(softwarePage())).text();
    expect(page).toContain('&quot;software_id&quot;: &quot;Mw3Tz7QkYp2Lr9DaX1bHcE&quot;');
    expect(page).toContain('&quot;typ&quot;: &quot;JWT&quot;');
    expect(page).toContain(
      `curl --cacert certs/ca/server-trust-bundle.pem --cert certs/participants/tpp-demo/transport.crt --key certs/participants/tpp-demo/transport.key`,
    );
    expect(page).toContain('<span class="badge revoked">revoked</span>');
    expect(page).toContain('<span class="badge expired">expired</span>');
    expect(page).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
  });

  it('stacks the software page’s tables into labelled rows on a phone (390 px): every cell names its column', async () => {
    const cookie = await signIn();
    const page = await (await t.call(softwarePage(), { headers: { cookie } })).text();
    const tables = page.match(/<table[^>]*>[\s\S]*?<\/table>/g) ?? [];
    expect(tables.length).toBeGreaterThanOrEqual(2);
    for (const table of tables) {
      expect(table).toMatch(/^<table class="stack">/);
      const headers = [...table.matchAll(/<th scope="col">([^<]+)<\/th>/g)].map((m) => m[1]!.split(' (')[0]);
      const labels = new Set([...table.matchAll(/<td data-label="([^"]+)"/g)].map((m) => m[1]));
      expect([...labels]).toEqual(headers);
      expect(table.match(/<td(?! data-label)/g)).toBeNull();
    }
    const css = await (await t.call('/ui/style.css')).text();
    expect(css).toMatch(
      /@media \(max-width: 50rem\) \{\s*\/\*[^*]*\*\/\s*table\.stack thead \{ position: absolute; left: -100vw;/,
    );
    expect(css).toContain('table.stack td::before { content: attr(data-label);');
  });

  it('lists the SSAs the directory handed out, decoded', async () => {
    const transport = transportAgentFor(t.config.participants.demo, t.config);
    const ssa = await (
      await fetch(`${t.config.directory.mtls.origin}${DEMO_SSA_PATH(t.config)}/ssa`, {
        dispatcher: transport,
      })
    ).text();
    await transport.close();
    const { jti } = decodeJwt(ssa);
    const page = await (await t.call(softwarePage())).text();
    expect(page).toContain(`<code class="id">${jti}</code>`);
    expect(page).toContain(`&quot;jti&quot;: &quot;${jti}&quot;`);
    expect(page).not.toContain(ssa);
  });

  it('escapes everything it shows', async () => {
    const hostile = '<script>alert("x")</script>';
    expect(
      (await t.admin('POST', '/organisations', { orgId: 'HostileLtd001', orgName: hostile })).status,
    ).toBe(201);
    const page = await (await t.call('/ui')).text();
    expect(page).not.toContain(hostile);
    expect(page).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    const orgPage = await (await t.call('/ui/organisations/HostileLtd001')).text();
    expect(orgPage).toContain('<title>&lt;script&gt;');
  });

  it('answers an unknown organisation with a 404 page', async () => {
    const response = await t.call('/ui/organisations/NoSuchOrg000');
    expect(response.status).toBe(404);
    expect(await response.text()).toContain('No organisation NoSuchOrg000 is registered');
  });
});

describe('admin actions', () => {
  it('signs in only with the right credential and from the same origin, and never redirects off-site', async () => {
    const wrong = await post('/ui/login', { credential: 'guess' }, { origin: origin() });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const crossSite = await post(
      '/ui/login',
      { credential: t.directory.adminCredential },
      { origin: 'https://evil.example' },
    );
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get('set-cookie')).toBeNull();
    const offsite = await post(
      '/ui/login',
      { credential: t.directory.adminCredential, next: 'https://evil.example/' },
      { origin: origin() },
    );
    expect(offsite.headers.get('location')).toBe('/ui?done=signed-in');
  });

  it('suspends and reactivates software from the page', async () => {
    const cookie = await signIn();
    const page = await (await t.call(softwarePage(), { headers: { cookie } })).text();
    expect(page).toContain('Suspend');

    const suspend = await post(
      `${softwarePage()}/status`,
      { status: 'suspended' },
      { origin: origin(), cookie },
    );
    expect(suspend.status).toBe(303);
    expect(suspend.headers.get('location')).toBe(`${softwarePage()}?done=suspended`);
    expect(await demoStatus()).toBe('suspended');
    const { softwareStatements } = (await (await t.call('/participants')).json()) as {
      softwareStatements: { softwareId: string; status: string }[];
    };
    expect(
      softwareStatements.find((s) => s.softwareId === t.config.participants.demo.softwareId)?.status,
    ).toBe('suspended');

    expect(
      (await post(`${softwarePage()}/status`, { status: 'active' }, { origin: origin(), cookie })).status,
    ).toBe(303);
    expect(await demoStatus()).toBe('active');
  });

  it('refuses actions without a session, from another origin, or with a bad status, and changes nothing', async () => {
    const cookie = await signIn();
    const noSession = await post(`${softwarePage()}/status`, { status: 'suspended' }, { origin: origin() });
    expect(noSession.status).toBe(401);
    const forgedCookie = await post(
      `${softwarePage()}/status`,
      { status: 'suspended' },
      { origin: origin(), cookie: '__Host-directory-session=forged' },
    );
    expect(forgedCookie.status).toBe(401);
    const crossSite = await post(
      `${softwarePage()}/status`,
      { status: 'suspended' },
      { origin: 'https://evil.example', cookie },
    );
    expect(crossSite.status).toBe(403);
    const noOrigin = await post(`${softwarePage()}/status`, { status: 'suspended' }, { cookie });
    expect(noOrigin.status).toBe(403);
    const badStatus = await post(
      `${softwarePage()}/status`,
      { status: 'deleted' },
      { origin: origin(), cookie },
    );
    expect(badStatus.status).toBe(400);
    expect(await demoStatus()).toBe('active');
  });

  it("judges where a form comes from by fapi-core's one rule: Origin null passes only with Sec-Fetch-Site same-origin", async () => {
    const cookie = await signIn();
    const form = `${softwarePage()}/status`;
    // Chromium under Referrer-Policy: no-referrer: Origin null, but Sec-Fetch-Site tells the truth.
    const ownPage = await post(
      form,
      { status: 'active' },
      { origin: 'null', 'sec-fetch-site': 'same-origin', cookie },
    );
    expect(ownPage.status).toBe(303);
    const nullAlone = await post(form, { status: 'suspended' }, { origin: 'null', cookie });
    expect(nullAlone.status).toBe(403);
    const crossSiteWithOurOrigin = await post(
      form,
      { status: 'suspended' },
      { origin: origin(), 'sec-fetch-site': 'cross-site', cookie },
    );
    expect(crossSiteWithOurOrigin.status).toBe(403);
    expect(await crossSiteWithOurOrigin.text()).toMatch(
      /Cross-site request refused.*Sec-Fetch-Site was cross-site.*Fetch Metadata section 2\.4.*Fix: submit the form from the directory/s,
    );
    expect(await demoStatus()).toBe('active');
  });

  it('revokes a certificate only after its confirmation page, which says what breaks and offers Reissue instead', async () => {
    const cookie = await signIn();
    const { certificates } = (await (
      await t.call(`/certificates?softwareId=${t.config.participants.second.softwareId}&type=transport`)
    ).json()) as { certificates: { serialNumber: string; x5tS256: string }[] };
    const target = certificates[0]!;
    const revokeForm = `/ui/certificates/${target.serialNumber}/revoke`;
    const isActive = async () =>
      (
        (await (await t.call(`/certificate-status?x5t%23S256=${target.x5tS256}`)).json()) as {
          status: string;
        }
      ).status === 'active';

    // The list offers a link to a question, not a button that revokes at one click.
    const list = await (await t.call('/ui/certificates', { headers: { cookie } })).text();
    expect(list).toContain(`href="${revokeForm}?back=%2Fui%2Fcertificates"`);
    expect(list).not.toContain(`action="${revokeForm}"`);

    const question = await t.call(`${revokeForm}?back=%2Fui%2Fcertificates`, { headers: { cookie } });
    expect(question.status).toBe(200);
    const text = await question.text();
    expect(text).toContain('<h1>Revoke certificate?</h1>');
    expect(text).toContain('the bank will refuse tokens bound to it at the next call');
    expect(text).toContain(`href="/ui/certificates/${target.serialNumber}/reissue">Reissue instead…</a>`);
    expect(text).toContain(`name="confirm" value="${target.serialNumber}"`);
    expect(text).toContain('name="back" value="/ui/certificates"');
    // Only the admin is asked.
    expect((await t.call(revokeForm)).status).toBe(401);

    // A post without the confirmation (a stale page, a forged form) revokes nothing.
    for (const fields of [
      { back: '/ui/certificates' },
      { confirm: 'ABCDEF', back: '/ui/certificates' },
    ] as Record<string, string>[]) {
      const unconfirmed = await post(revokeForm, fields, { origin: origin(), cookie });
      expect(unconfirmed.status).toBe(400);
      expect(await unconfirmed.text()).toContain('was not revoked: the form did not confirm it');
      expect(await isActive()).toBe(true);
    }

    const response = await post(
      revokeForm,
      { confirm: target.serialNumber, back: '/ui/certificates' },
      { origin: origin(), cookie },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/ui/certificates?done=certificate-revoked');
    const status = (await (await t.call(`/certificate-status?x5t%23S256=${target.x5tS256}`)).json()) as {
      status: string;
    };
    expect(status.status).toBe('revoked');

    const again = await post(
      `/ui/certificates/${target.serialNumber}/revoke`,
      {},
      { origin: origin(), cookie },
    );
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('already revoked');
  });

  it('suspends an organisation from its page, which suspends its software for relying parties', async () => {
    const cookie = await signIn();
    const second = t.config.participants.second;
    const orgPage = `/ui/organisations/${second.orgId}`;
    const suspend = await post(`${orgPage}/status`, { status: 'suspended' }, { origin: origin(), cookie });
    expect(suspend.status).toBe(303);
    const { softwareStatements } = (await (await t.call('/participants')).json()) as {
      softwareStatements: { softwareId: string; status: string }[];
    };
    expect(softwareStatements.find((s) => s.softwareId === second.softwareId)?.status).toBe('suspended');
    expect((await post(`${orgPage}/status`, { status: 'active' }, { origin: origin(), cookie })).status).toBe(
      303,
    );
    expect(await (await t.call(`/organisations/${second.orgId}`)).json()).toMatchObject({ status: 'active' });
  });

  it('signs out', async () => {
    const cookie = await signIn();
    const out = await post('/ui/logout', {}, { origin: origin(), cookie });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect(
      (await post(`${softwarePage()}/status`, { status: 'suspended' }, { origin: origin(), cookie })).status,
    ).toBe(401);
  });
});
