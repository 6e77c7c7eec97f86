// The developer portal's pages: what the portal is and the sign-up form; then, for the signed-in
// organisation, its developer token (once), a form to register software, and per software the client
// bundle download, the CSR upload, the SSA endpoint and the next steps. Server-rendered, no scripts.
import { html, type SafeHtml } from '@fapi-sandbox/fapi-core/html';
import { MAX_SOFTWARE_PER_ORGANISATION } from '../domain/developers.js';
import { SOFTWARE_ROLES, type SoftwareStatement } from '../domain/model.js';
import { softwareJwksUri, ssaUrl } from '../domain/urls.js';
import type { DirectoryServices } from '../services.js';
import { type PageContext, page, statusBadge } from './layout.js';

const softwareFormPath = (softwareId: string) =>
  `/portal/forms/software-statements/${encodeURIComponent(softwareId)}`;

function nextSteps(): SafeHtml {
  return html`<h2>Next steps</h2>
<ol class="steps">
  <li>Fetch the SSA with the transport certificate (mutual TLS), as every TPP does.</li>
  <li>Register at the bank by dynamic client registration (RFC 7591): POST the SSA to the bank's
    <code>registration_endpoint</code> (from its discovery document, <code>mtls_endpoint_aliases</code>) with
    <code>token_endpoint_auth_method</code> <code>private_key_jwt</code> or <code>tls_client_auth</code>, your
    <code>jwks_uri</code> and <code>redirect_uris</code> from the software statement.</li>
  <li>Run a FAPI 2.0 flow: PAR, the bank's login and consent, the code exchange, then the Open Banking API.</li>
  <li>Read what each party saw of your traffic: <code>GET /trace</code> on each party's mTLS origin, with your transport certificate.</li>
</ol>
<p>Worked examples in the repository: <code>examples/node-openid-client</code> (Node.js with openid-client) and
<code>examples/curl</code> (every step with curl and openssl). The workshop's lab 8,
<code>docs/workshop/lab-08-own-client.md</code>, walks through it.</p>`;
}

export function portalLandingPage(context: PageContext & { orgName?: string }): string {
  return page(
    'Developer portal',
    context,
    html`<h1>Developer portal</h1>
<p class="lead">Bring your own client to the sandbox. Sign up an organisation with the sandbox's invite code, register
your software, and download a client bundle: a transport certificate for mutual TLS, signing keys for
<code>private_key_jwt</code> and request objects, the CA that verifies the parties, and every endpoint. Then register
at the bank by dynamic client registration, exactly as the demo TPPs do.</p>
<p>The invite code keeps a shared sandbox to the people it is meant for. Whoever runs the sandbox finds it in the
<code>pnpm dev</code> ready table and as <code>inviteCode</code> in <code>pnpm --silent sandbox:info</code>.</p>

<div class="two-col">
<section class="card" aria-labelledby="sign-up-title">
<h2 id="sign-up-title">Sign up</h2>
<form method="post" action="/portal/forms/sign-up">
  <div class="field"><label for="inviteCode">Invite code</label>
  <input id="inviteCode" name="inviteCode" type="text" autocomplete="off" spellcheck="false" required placeholder="fapi-XXXX-XXXX"></div>
  <div class="field"><label for="orgName">Organisation name</label>
  <input id="orgName" name="orgName" type="text" maxlength="64" required value="${context.orgName ?? ''}"></div>
  <p><button type="submit" class="primary">Sign up</button></p>
</form>
</section>
<section class="card" aria-labelledby="sign-in-title">
<h2 id="sign-in-title">Signed up before?</h2>
<form method="post" action="/portal/forms/sign-in">
  <div class="field"><label for="developerToken">Developer token</label>
  <input id="developerToken" name="developerToken" type="password" autocomplete="off" required></div>
  <p><button type="submit">Sign in</button></p>
</form>
</section>
</div>
${nextSteps()}`,
  );
}

async function softwareCard(
  services: DirectoryServices,
  orgId: string,
  software: SoftwareStatement,
): Promise<SafeHtml> {
  const { config, store } = services;
  const ssa = ssaUrl(config, orgId, software.softwareId);
  const certificates = await store.certificates.list({ softwareId: software.softwareId });
  const titleId = `software-${software.softwareId}`;
  return html`<section class="card" aria-labelledby="${titleId}">
<h3 id="${titleId}">${software.clientName} ${statusBadge(software.status)}</h3>
<dl class="facts">
  <dt>Software id</dt><dd><code class="id">${software.softwareId}</code></dd>
  <dt>Roles</dt><dd>${software.roles.join(', ')}</dd>
  <dt>Redirect URIs</dt><dd>${software.redirectUris.map((uri) => html`<code class="id">${uri}</code><br>`)}</dd>
  <dt>jwks_uri</dt><dd><code class="id">${softwareJwksUri(config, orgId, software.softwareId)}</code></dd>
  <dt>SSA endpoint</dt><dd><code class="id">${ssa}</code><br><span class="muted">GET it with the transport certificate (mutual TLS).</span></dd>
  <dt>Certificates</dt><dd>${certificates.length === 0 ? 'none yet' : html`<a href="/ui/organisations/${encodeURIComponent(orgId)}/software-statements/${encodeURIComponent(software.softwareId)}">${certificates.length} issued</a>`}</dd>
</dl>

<h4>Client bundle</h4>
<p class="warning">The bundle holds private keys and is shown once: the directory generates them, certifies them, and does not keep them.
Store the file as you would a password. Each download makes new keys; the earlier ones stay valid.</p>
<form method="post" action="${softwareFormPath(software.softwareId)}/bundle">
  <button type="submit" class="primary" aria-label="Download client bundle for ${software.clientName}">Download client bundle</button>
</form>

<h4>Or certify your own key</h4>
<form method="post" action="${softwareFormPath(software.softwareId)}/certificates">
  <div class="field"><label for="type-${software.softwareId}">Certificate type</label>
  <select id="type-${software.softwareId}" name="type"><option value="transport">transport (mutual TLS)</option><option value="signing">signing (JWS)</option></select></div>
  <div class="field"><label for="csr-${software.softwareId}">Certificate signing request (PEM, PKCS#10)</label>
  <textarea id="csr-${software.softwareId}" name="csr" rows="6" required placeholder="-----BEGIN CERTIFICATE REQUEST-----"></textarea>
  <span class="muted hint">e.g. <code>openssl req -new -key transport.key -subj "/CN=any"</code>; the directory sets the subject.</span></div>
  <p><button type="submit">Issue certificate</button></p>
</form>

<h4>Fetch the SSA</h4>
<pre>curl --cacert server-ca.pem --cert transport.crt --key transport.key \\
  ${ssa}</pre>
</section>`;
}

// The redirect URI suggested below stays https://localhost:3443: it is the learner's own client on the
// learner's own machine (examples/node-openid-client), not a party of the sandbox, whatever its domain.
export async function portalOrganisationPage(
  services: DirectoryServices,
  context: PageContext,
  view: {
    orgId: string;
    /** Shown once, right after sign-up. */
    developerToken?: string;
    /** A certificate just issued from a CSR. */
    issued?: { type: string; chainPem: string };
  },
): Promise<string> {
  const organisation = await services.registry.organisation(view.orgId);
  const software = await services.store.softwareStatements.listFor(view.orgId);
  const cards = await Promise.all(software.map((entry) => softwareCard(services, organisation.orgId, entry)));
  return page(
    `${organisation.orgName} · Developer portal`,
    context,
    html`<h1>${organisation.orgName}</h1>
<dl class="facts">
  <dt>Organisation id</dt><dd><code class="id">${organisation.orgId}</code></dd>
  <dt>Status</dt><dd>${statusBadge(organisation.status)}</dd>
</dl>
<form method="post" action="/portal/forms/sign-out"><p><button type="submit">Sign out of the portal</button></p></form>

${
  view.developerToken
    ? html`<section class="card" aria-labelledby="token-title">
<h2 id="token-title">Your developer token</h2>
<p class="warning">Shown once. The portal API takes it as <code>Authorization: Bearer …</code>
(<code>POST /portal/organisations/${organisation.orgId}/software-statements</code>, <code>…/bundle</code>, <code>…/certificates</code>),
and it signs you in here again. The directory keeps only its hash.</p>
<pre aria-label="Developer token">${view.developerToken}</pre>
</section>`
    : ''
}
${
  view.issued
    ? html`<section class="card" aria-labelledby="issued-title">
<h2 id="issued-title">Your ${view.issued.type} certificate</h2>
<p>Issued under the Directory CA for your key: the leaf, then the Directory CA.</p>
<pre aria-label="Issued certificate">${view.issued.chainPem}</pre>
</section>`
    : ''
}

<h2>Software statements</h2>
${software.length === 0 ? html`<p class="muted">None yet: register your client below.</p>` : cards}

<section class="card" aria-labelledby="new-software-title">
<h2 id="new-software-title">Register software</h2>
<form method="post" action="/portal/forms/software-statements">
  <div class="field"><label for="clientName">Client name</label>
  <input id="clientName" name="clientName" type="text" maxlength="100" required></div>
  <fieldset><legend>Roles</legend>
  ${SOFTWARE_ROLES.map(
    (role) =>
      html`<label class="inline"><input type="checkbox" name="roles" value="${role}"${role === 'CBPII' ? '' : html` checked`}> ${role}</label>`,
  )}
  </fieldset>
  <div class="field"><label for="redirectUris">Redirect URIs (https, one per line)</label>
  <textarea id="redirectUris" name="redirectUris" rows="3" required>https://localhost:3443/callback</textarea></div>
  <p><button type="submit" class="primary">Register software</button>
  <span class="muted">Up to ${MAX_SOFTWARE_PER_ORGANISATION} per organisation.</span></p>
</form>
</section>
${nextSteps()}`,
  );
}
