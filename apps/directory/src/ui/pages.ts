// The directory's pages: participants overview, an organisation, a software statement (certificates and
// its SSA decoded), all certificates, and the admin sign-in. Admin forms only show to a signed-in admin.
import path from 'node:path';
import { html, type SafeHtml } from '@fapi-sandbox/fapi-core/html';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { certificatesInUse, fixtureFiles, fixtureParticipantOf } from '../domain/fixture-certificates.js';
import {
  type CertificateRecord,
  certificateStatus,
  effectiveStatus,
  type SoftwareStatement,
} from '../domain/model.js';
import { softwareJwksUri, ssaUrl } from '../domain/urls.js';
import type { DirectoryServices } from '../services.js';
import { type PageContext, page, statusBadge } from './layout.js';

const softwareHref = (orgId: string, softwareId: string) =>
  `/ui/organisations/${encodeURIComponent(orgId)}/software-statements/${encodeURIComponent(softwareId)}`;
const organisationHref = (orgId: string) => `/ui/organisations/${encodeURIComponent(orgId)}`;

const SOURCE_LABELS: Record<CertificateRecord['source'], string> = {
  pki: 'from pnpm pki',
  csr: 'issued from a CSR',
  bundle: 'made for a client bundle',
};

/** Only http(s) links are rendered as links; anything else (javascript:, data:) becomes inert. */
function safeHref(url: string): string {
  return /^https?:\/\//i.test(url) ? url : '#';
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function date(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '';
}

function statusForm(action: string, current: string, subject: string): SafeHtml {
  const choices = (
    [
      ['active', 'Reactivate'],
      ['suspended', 'Suspend'],
      ['revoked', 'Revoke (final)'],
    ] as const
  ).filter(([status]) => status !== current && current !== 'revoked');
  if (choices.length === 0) return html`<p class="muted">Revoked: nothing can be changed.</p>`;
  return html`<div class="actions">${choices.map(
    ([status, label]) => html`<form method="post" action="${action}">
      <input type="hidden" name="status" value="${status}">
      <button type="submit" class="${status === 'active' ? 'primary' : 'danger'}" aria-label="${label} ${subject}">${label}</button>
    </form>`,
  )}</div>`;
}

/** RFC 5280 §5.3.1: a certificate revoked as `superseded` was replaced, not withdrawn; the page says so. */
function certificateMark(certificate: CertificateRecord): string {
  return certificate.revocationReason === 'superseded' ? 'superseded' : certificateStatus(certificate);
}

const certificateHref = (serialNumber: string, action: 'reissue' | 'revoke') =>
  `/ui/certificates/${encodeURIComponent(serialNumber)}/${action}`;

/** Reissue is offered for the certificate a fixture participant's parties use now: the directory holds its key. */
function reissueLink(certificate: CertificateRecord, inUseFile: string | undefined): SafeHtml | string {
  if (!inUseFile) return '';
  return html`<a class="button" href="${certificateHref(certificate.serialNumber, 'reissue')}" aria-label="Reissue certificate ${certificate.serialNumber}">Reissue…</a>`;
}

/** Revoking is a question first (revokePage): a link, never a button that revokes at one click. */
function revokeLink(certificate: CertificateRecord, back: string): SafeHtml | string {
  if (certificate.revokedAt) return '';
  return html`<a class="button danger" href="${certificateHref(certificate.serialNumber, 'revoke')}?back=${encodeURIComponent(back)}" aria-label="Revoke certificate ${certificate.serialNumber}">Revoke…</a>`;
}

function certificateRows(
  certificates: CertificateRecord[],
  context: PageContext,
  back: string,
  inUse: Map<string, string>,
): SafeHtml {
  if (certificates.length === 0) return html`<p class="muted">No certificates.</p>`;
  // Stacked into labelled rows below 50rem (style.ts, table.stack): seven columns do not fit a phone.
  return html`<table class="stack">
  <thead><tr><th scope="col">Type</th><th scope="col">Serial number</th><th scope="col">Thumbprint (x5t#S256)</th><th scope="col">Key</th><th scope="col">Valid until</th><th scope="col">Status</th>${context.admin ? html`<th scope="col">Action</th>` : ''}</tr></thead>
  <tbody>${certificates.map((certificate) => {
    const status = certificateMark(certificate);
    const inUseFile = inUse.get(certificate.x5tS256);
    return html`<tr>
      <td data-label="Type">${certificate.type}${certificate.kid ? html`<br><span class="muted">kid ${certificate.kid.slice(0, 12)}…</span>` : ''}</td>
      <td data-label="Serial number"><code class="id">${certificate.serialNumber}</code><br><span class="muted">${SOURCE_LABELS[certificate.source]}</span></td>
      <td data-label="Thumbprint"><code class="id">${certificate.x5tS256}</code></td>
      <td data-label="Key">${certificate.keyType}</td>
      <td data-label="Valid until">${date(certificate.notAfter)}</td>
      <td data-label="Status">${statusBadge(status)}${inUseFile ? html` <span class="badge in-use">in use</span><br><span class="muted">${inUseFile}</span>` : ''}${certificate.revokedAt ? html`<br><span class="muted">${date(certificate.revokedAt)} (${certificate.revocationReason})</span>` : ''}</td>
      ${
        context.admin
          ? html`<td data-label="Action"><div class="actions">${reissueLink(certificate, inUseFile)}${revokeLink(certificate, back)}</div></td>`
          : ''
      }
    </tr>`;
  })}</tbody></table>`;
}

export async function overviewPage(services: DirectoryServices, context: PageContext): Promise<string> {
  const { store, config } = services;
  const organisations = await store.organisations.list();
  const byId = new Map(organisations.map((org) => [org.orgId, org]));
  const servers = await store.organisations.authorisationServers.list();
  const software = await store.softwareStatements.list();
  return page(
    'Participants',
    context,
    html`<h1>Participants</h1>
<p class="lead">The directory is the ecosystem's trust anchor: it registers organisations and their software,
issues their certificates, and signs software statement assertions (SSAs) that banks check before they register a
client. Suspend a software statement or revoke a certificate here and watch the bank refuse it.</p>
<p>Bringing your own client? <a href="/portal">Sign up at the developer portal</a> with the sandbox's invite code,
register your software and download its keys and certificates.</p>

<h2>Authorisation servers</h2>
<table><thead><tr><th scope="col">Bank</th><th scope="col">Issuer</th><th scope="col">API base URL</th><th scope="col">Status</th></tr></thead>
<tbody>${servers.map((server) => {
      const org = byId.get(server.orgId);
      return html`<tr><td><a href="${organisationHref(server.orgId)}">${server.customerFriendlyName}</a><br><span class="muted">${org?.orgName}</span></td>
      <td><a href="${safeHref(server.discoveryUrl)}">${server.issuer}</a></td><td><code class="id">${server.apiBaseUrl}</code></td><td>${statusBadge(org?.status ?? 'unknown')}</td></tr>`;
    })}</tbody></table>

<h2>Software statements</h2>
<table><thead><tr><th scope="col">Client</th><th scope="col">Organisation</th><th scope="col">Software id</th><th scope="col">Roles</th><th scope="col">Status</th></tr></thead>
<tbody>${software.map((entry) => {
      const org = byId.get(entry.orgId);
      const status = effectiveStatus(org?.status ?? 'revoked', entry.status);
      return html`<tr><td><a href="${softwareHref(entry.orgId, entry.softwareId)}">${entry.clientName}</a></td>
      <td><a href="${organisationHref(entry.orgId)}">${org?.orgName}</a></td><td><code class="id">${entry.softwareId}</code></td>
      <td>${entry.roles.join(', ')}</td><td>${statusBadge(status)}</td></tr>`;
    })}</tbody></table>

<h2>Organisations</h2>
<table><thead><tr><th scope="col">Name</th><th scope="col">Organisation id</th><th scope="col">Status</th></tr></thead>
<tbody>${organisations.map(
      (org) =>
        html`<tr><td><a href="${organisationHref(org.orgId)}">${org.orgName}</a></td><td><code class="id">${org.orgId}</code></td><td>${statusBadge(org.status)}</td></tr>`,
    )}</tbody></table>

<h2>Machine-readable</h2>
<ul>
  <li><a href="/participants">/participants</a>: authorisation servers and software statements with status</li>
  <li><a href="/.well-known/jwks.json">/.well-known/jwks.json</a>: the keys that verify SSAs</li>
  <li><a href="/crl">/crl</a>: the Directory CA's certificate revocation list (DER)</li>
  <li><code>/certificate-status?x5t%23S256=…</code>: one certificate's status, by thumbprint</li>
  <li>SSAs: <code>${config.directory.mtls.origin}/organisations/{orgId}/software-statements/{softwareId}/ssa</code> (mTLS, transport certificate)</li>
</ul>`,
  );
}

export async function organisationPage(
  services: DirectoryServices,
  orgId: string,
  context: PageContext,
): Promise<string> {
  const { registry, store } = services;
  const org = await registry.organisation(orgId);
  const servers = await store.organisations.authorisationServers.listFor(orgId);
  const software = await store.softwareStatements.listFor(orgId);
  return page(
    org.orgName,
    context,
    html`<h1>${org.orgName} ${statusBadge(org.status)}</h1>
<dl class="facts"><dt>Organisation id</dt><dd><code class="id">${org.orgId}</code></dd>
<dt>Registered</dt><dd>${date(org.createdAt)}</dd><dt>Last change</dt><dd>${date(org.updatedAt)}</dd></dl>
${context.admin ? html`<h2>Change status</h2>${statusForm(`${organisationHref(orgId)}/status`, org.status, org.orgName)}<p class="muted">Suspending an organisation suspends all its software; revoking it revokes every software statement and certificate.</p>` : ''}
${
  servers.length
    ? html`<h2>Authorisation servers</h2><table><thead><tr><th scope="col">Name</th><th scope="col">Issuer</th><th scope="col">Discovery</th><th scope="col">API base URL</th></tr></thead>
<tbody>${servers.map((server) => html`<tr><td>${server.customerFriendlyName}</td><td><code class="id">${server.issuer}</code></td><td><a href="${safeHref(server.discoveryUrl)}">${server.discoveryUrl}</a></td><td><code class="id">${server.apiBaseUrl}</code></td></tr>`)}</tbody></table>`
    : ''
}
<h2>Software statements</h2>
${
  software.length
    ? html`<table><thead><tr><th scope="col">Client</th><th scope="col">Software id</th><th scope="col">Roles</th><th scope="col">Status</th></tr></thead>
<tbody>${software.map((entry) => html`<tr><td><a href="${softwareHref(orgId, entry.softwareId)}">${entry.clientName}</a></td><td><code class="id">${entry.softwareId}</code></td><td>${entry.roles.join(', ')}</td><td>${statusBadge(effectiveStatus(org.status, entry.status))}</td></tr>`)}</tbody></table>`
    : html`<p class="muted">None.</p>`
}`,
  );
}

function curlCommand(services: DirectoryServices, orgId: string, softwareId: string): string {
  const { config } = services;
  const relative = (file: string) => path.relative(config.repoRoot, file) || file;
  const participant = Object.values(config.participants).find((p) => p.softwareId === softwareId);
  const cert = participant ? relative(participant.transportCert) : 'transport.crt';
  const key = participant ? relative(participant.transportKey) : 'transport.key';
  return `curl --cacert ${relative(config.ca.serverTrustBundle)} --cert ${cert} --key ${key} \\\n  ${ssaUrl(config, orgId, softwareId)}`;
}

/** What the fixture participant's files under certs/participants are and who uses each (from certs/manifest.json). */
function fixtureExplanation(services: DirectoryServices, softwareId: string): SafeHtml | string {
  const participant = fixtureParticipantOf(services.config, softwareId);
  if (!participant) return '';
  const files = fixtureFiles(services.config, participant);
  return html`<h2>Fixture certificates</h2>
<p>${participant.clientName} is a fixture participant: <code>pnpm pki</code> generated its keys and certificates under
<code>certs/participants/${participant.slug}/</code>, and every party of <code>pnpm dev</code> reads them from there. The
certificate marked <strong>in use</strong> is the one in those files now. <strong>Reissue</strong> revokes it (as
superseded), writes a new key and certificate into the same files (a signing key gets a new kid, which the software's
JWKS publishes in place of the old one), and the demo TPP presents or signs with the new one at its next call: the way
back from the revoke lesson without <code>pnpm reset</code>. Certificates issued from a CSR are never
in use here: their key stays with whoever sent the CSR.</p>
${
  files.length
    ? html`<table class="stack"><thead><tr><th scope="col">File</th><th scope="col">What it is</th><th scope="col">Used by</th></tr></thead>
<tbody>${files.map(
        (entry) =>
          html`<tr><td data-label="File"><code class="id">${entry.file}</code>${entry.secret ? html`<br><span class="muted">secret (0600)</span>` : ''}</td><td data-label="What it is">${entry.what}</td><td data-label="Used by">${entry.usedBy.map((use) => html`${use}<br>`)}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">certs/manifest.json is missing: run <code>pnpm pki:ensure</code>.</p>`
}`;
}

/** What stops working once a certificate is revoked: the bank's next check refuses it. */
function whatRevokingBreaks(certificate: CertificateRecord): string {
  return certificate.type === 'transport'
    ? 'the bank will refuse tokens bound to it at the next call, and refuses the certificate itself at the next mutual TLS handshake it checks'
    : `its key (kid ${certificate.kid ?? 'unknown'}) leaves the software's JWKS, and the bank will refuse client assertions and request objects signed with it at the next call`;
}

/** The facts both confirmations show, and the form that sends the serial number back as the confirmation. */
function confirmationForm(
  certificate: CertificateRecord,
  action: 'reissue' | 'revoke',
  back: string,
  label: string,
): SafeHtml {
  return html`<dl class="facts"><dt>Type</dt><dd>${certificate.type}${certificate.kid ? html` (kid <code class="id">${certificate.kid}</code>)` : ''}</dd>
<dt>Thumbprint (x5t#S256)</dt><dd><code class="id">${certificate.x5tS256}</code></dd>
<dt>Status</dt><dd>${statusBadge(certificateMark(certificate))}</dd></dl>
<form method="post" action="${certificateHref(certificate.serialNumber, action)}">
  <input type="hidden" name="confirm" value="${certificate.serialNumber}">
  <input type="hidden" name="back" value="${back}">
  <p class="actions"><button type="submit" class="danger">${label}</button> <a href="${back}">Cancel</a></p>
</form>`;
}

/** The page a certificate's software is listed on (or all certificates, for software no longer registered). */
function backOf(software: SoftwareStatement | undefined): string {
  return software ? softwareHref(software.orgId, software.softwareId) : '/ui/certificates';
}

/** The confirmation asked before a reissue revokes anything. */
export async function reissuePage(
  services: DirectoryServices,
  serialNumber: string,
  context: PageContext,
): Promise<string> {
  const certificate = await services.certificates.get(serialNumber);
  const software = await services.store.softwareStatements.get(certificate.softwareId);
  const files =
    certificate.type === 'transport' ? 'key and certificate' : 'signing key (new kid) and certificate';
  const consequence = certificate.revokedAt
    ? html`Certificate <code class="id">${certificate.serialNumber}</code> is already revoked. Reissuing writes a new ${files} in its place, and the demo TPP uses them at its next call.`
    : html`This revokes certificate <code class="id">${certificate.serialNumber}</code> of ${software?.clientName ?? certificate.softwareId}: ${whatRevokingBreaks(certificate)}. A new ${files} for the same software replace it, and the demo TPP uses them at its next call.`;
  return page(
    'Reissue certificate',
    context,
    html`<h1>Reissue certificate?</h1>
<p class="lead">${consequence}</p>
${confirmationForm(certificate, 'reissue', backOf(software), certificate.revokedAt ? 'Reissue' : 'Revoke and reissue')}`,
  );
}

/** The confirmation asked before a revocation: what breaks, and the reissue that undoes it where there is one. */
export async function revokePage(
  services: DirectoryServices,
  serialNumber: string,
  back: string | undefined,
  context: PageContext,
): Promise<string> {
  const certificate = await services.certificates.get(serialNumber);
  const software = await services.store.softwareStatements.get(certificate.softwareId);
  const returnTo = back ?? backOf(software);
  if (certificate.revokedAt) {
    return page(
      'Revoke certificate',
      context,
      html`<h1>Certificate already revoked</h1>
<p class="lead">Certificate <code class="id">${certificate.serialNumber}</code> was revoked at ${date(certificate.revokedAt)} (${certificate.revocationReason}); a revoked certificate stays revoked.</p>
<p><a href="${returnTo}">Back</a></p>`,
    );
  }
  const reissuable = certificatesInUse(services.config).has(certificate.x5tS256);
  return page(
    'Revoke certificate',
    context,
    html`<h1>Revoke certificate?</h1>
<p class="lead">This revokes certificate <code class="id">${certificate.serialNumber}</code> of ${software?.clientName ?? certificate.softwareId} for good
(RFC 5280 §3.3): it goes into the CRL, <code>/certificate-status</code> answers revoked, and ${whatRevokingBreaks(certificate)}.</p>
${
  reissuable
    ? html`<p>${software?.clientName ?? 'This software'}'s parties use this certificate now. <strong>Reissue</strong> revokes it too, but
writes a new one where they read it, so they keep working. Revoke alone to watch the bank refuse it; a Reissue afterwards undoes the lesson.</p>
<p><a class="button" href="${certificateHref(certificate.serialNumber, 'reissue')}">Reissue instead…</a></p>`
    : ''
}
${confirmationForm(certificate, 'revoke', returnTo, 'Revoke certificate')}`,
  );
}

export async function softwarePage(
  services: DirectoryServices,
  orgId: string,
  softwareId: string,
  context: PageContext,
): Promise<string> {
  const { registry, store, ssa, config } = services;
  const { organisation, software, status } = await registry.software(orgId, softwareId);
  const certificates = await store.certificates.list({ softwareId });
  const preview = await ssa.preview(orgId, softwareId);
  const issued = await store.ssaIssuances.latestFor(softwareId, 10);
  const here = softwareHref(orgId, softwareId);
  return page(
    software.clientName,
    context,
    html`<h1>${software.clientName} ${statusBadge(status)}</h1>
<p class="lead">Software statement of <a href="${organisationHref(orgId)}">${organisation.orgName}</a>.
${status !== software.status ? html` Its own status is ${software.status}, but its organisation is ${organisation.status}.` : ''}</p>
<dl class="facts">
<dt>Software id</dt><dd><code class="id">${software.softwareId}</code></dd>
<dt>Roles</dt><dd>${software.roles.join(', ')}</dd>
<dt>Description</dt><dd>${software.description}</dd>
<dt>Redirect URIs</dt><dd>${software.redirectUris.map((uri) => html`<code class="id">${uri}</code><br>`)}</dd>
<dt>JWKS (jwks_uri)</dt><dd><a href="${softwareJwksUri(config, orgId, softwareId)}">${softwareJwksUri(config, orgId, softwareId)}</a></dd>
<dt>SSA endpoint</dt><dd><code class="id">${ssaUrl(config, orgId, softwareId)}</code> (mTLS)</dd>
</dl>
${context.admin ? html`<h2>Change status</h2>${statusForm(`${here}/status`, software.status, software.clientName)}<p class="muted">A suspended software statement gets no SSA and shows as suspended in /participants; revoking it also revokes its certificates.</p>` : ''}

<h2>Certificates</h2>
${certificateRows(certificates, context, here, certificatesInUse(config))}
${fixtureExplanation(services, softwareId)}

<h2>Software statement assertion</h2>
<p>The signed SSA is handed out only over mutual TLS, to this software's own transport certificate:</p>
<pre>${curlCommand(services, orgId, softwareId)}</pre>
<p class="muted">What the directory would sign right now (decoded, unsigned):</p>
<div class="two-col"><div><h3>Header</h3><pre>${json(preview.header)}</pre></div><div><h3>Claims</h3><pre>${json(preview.claims)}</pre></div></div>

<h3>Issued SSAs</h3>
${
  issued.length
    ? html`<table class="stack"><thead><tr><th scope="col">jti</th><th scope="col">Issued</th><th scope="col">Expires</th><th scope="col">Transport certificate</th><th scope="col">Decoded</th></tr></thead>
<tbody>${issued.map(
        (
          entry,
        ) => html`<tr><td data-label="jti"><code class="id">${entry.jti}</code></td><td data-label="Issued">${date(entry.issuedAt)}</td><td data-label="Expires">${date(entry.expiresAt)}</td><td data-label="Transport certificate"><code class="id">${entry.certificateSerialNumber}</code></td>
<td data-label="Decoded"><details><summary>Header and claims</summary><pre>${json(decodeProtectedHeader(entry.ssa))}</pre><pre>${json(decodeJwt(entry.ssa))}</pre></details></td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">None fetched yet.</p>`
}`,
  );
}

export async function certificatesPage(services: DirectoryServices, context: PageContext): Promise<string> {
  const certificates = await services.store.certificates.list();
  const software = new Map((await services.store.softwareStatements.list()).map((s) => [s.softwareId, s]));
  const groups = [...new Set(certificates.map((c) => c.softwareId))];
  const inUse = certificatesInUse(services.config);
  return page(
    'Certificates',
    context,
    html`<h1>Certificates</h1>
<p class="lead">Transport certificates authenticate a TPP over mutual TLS; signing certificates vouch for the keys in its
JWKS. Banks ask <code>/certificate-status</code> or read the <a href="/crl">CRL</a> before they trust one.</p>
${groups.map((softwareId) => {
  const entry = software.get(softwareId);
  return html`<h2><a href="${entry ? softwareHref(entry.orgId, softwareId) : '/ui'}">${entry?.clientName ?? softwareId}</a></h2>
  ${certificateRows(
    certificates.filter((c) => c.softwareId === softwareId),
    context,
    '/ui/certificates',
    inUse,
  )}`;
})}`,
  );
}

export function loginPage(context: PageContext & { next: string }): string {
  return page(
    'Admin sign-in',
    context,
    html`<h1>Admin sign-in</h1>
<p class="lead">Suspending software and revoking certificates needs the directory admin credential. <code>pnpm dev</code>
prints it, and it is stored in <code>data/directory/admin-credential.txt</code>.</p>
<form method="post" action="/ui/login">
  <input type="hidden" name="next" value="${context.next}">
  <label for="credential">Admin credential</label>
  <input id="credential" name="credential" type="password" autocomplete="current-password" required>
  <p><button type="submit" class="primary">Sign in</button></p>
</form>`,
  );
}

export function errorPage(status: number, message: string, context: PageContext): string {
  return page(
    `Error ${status}`,
    { ...context, error: message },
    context.portal
      ? html`<h1>Could not do that</h1><p><a href="/portal">Back to the developer portal</a></p>`
      : html`<h1>Could not do that</h1><p><a href="/ui">Back to the participants</a></p>`,
  );
}
