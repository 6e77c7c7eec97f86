// Attacks the directory makes possible to stop: a participant it no longer vouches for is refused at the
// bank's next call, whatever tokens or registrations it still holds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createCertificateRequest } from '@fapi-sandbox/fapi-core/certificate-request';
import { defineAttack, MTLS_BOUND, sameRefusal, WITH_BASELINE } from './attack.js';

/** How long bank-op and bank-api keep the directory's answer on a participant (their status caches). */
const STATUS_CACHE_MS = 1100;

export const softwareSuspended = defineAttack({
  id: 'software-suspended',
  title: 'A TPP whose software the directory suspended asks for a token',
  message: 'directory',
  refusals: sameRefusal(WITH_BASELINE, {
    party: 'bank-op',
    status: 401,
    error: 'invalid_client',
    clause: 'OB Directory participant status',
  }),
  threat: 'a TPP struck off by the ecosystem keeps getting tokens with its old registration',
  fix: 'the directory must reactivate the software statement (its admin page) before the TPP can connect again',
  rules: ['bank-op:participant-status'],
  async run(ctx) {
    const { orgId, softwareId } = ctx.participant;
    const path = `/organisations/${orgId}/software-statements/${softwareId}`;
    ctx.onCleanup(async () => {
      await ctx.directoryAdmin('PATCH', path, { status: 'active' });
      await sleep(STATUS_CACHE_MS);
    });
    const status = await ctx.directoryAdmin('PATCH', path, { status: 'suspended' });
    if (status !== 200) throw new Error(`the directory answered ${status} to the suspension`);
    ctx.attackNow('directory: software statement suspended');
    await sleep(STATUS_CACHE_MS);
    return ctx.client.clientCredentialsToken('accounts');
  },
});

const NO_CERTIFICATE_AT_THE_BANK =
  'a DPoP client presents its transport certificate only to the directory and at registration: its tokens are bound to its DPoP key, so the bank’s token endpoint and API never see the certificate (the directory refuses the revoked one at the next SSA fetch)';

export const certificateRevoked = defineAttack({
  id: 'certificate-revoked',
  title: 'A TPP keeps using a transport certificate the directory revoked',
  message: 'directory',
  refusals: sameRefusal([...MTLS_BOUND, 'fapi1-baseline'], {
    party: 'bank-api',
    status: 401,
    error: 'invalid_token',
    clause: 'RFC 8705 §2.1',
  }),
  notApplicable: { 'fapi2-dpop': NO_CERTIFICATE_AT_THE_BANK },
  threat:
    'a stolen or compromised certificate, and every token bound to it, keeps working until it expires, months later',
  fix: 'request a new transport certificate from the directory with a CSR, and new tokens bound to it',
  rules: ['bank-api:Transport: DPoP proof or mutual-TLS client certificate', 'bank-op:participant-status'],
  async run(ctx) {
    const { orgId, softwareId } = ctx.participant;
    // A fresh certificate for the same software, so the sandbox's own (certs/participants/…) stays good.
    const request = await createCertificateRequest();
    const issued = await ctx.directoryAdminAnswer(
      'POST',
      `/organisations/${orgId}/software-statements/${softwareId}/certificates`,
      { type: 'transport', csr: request.csrPem },
    );
    const { certificate, chainPem } = (issued.body ?? {}) as {
      certificate?: { serialNumber?: string };
      chainPem?: string;
    };
    if (issued.status !== 201 || !certificate?.serialNumber || !chainPem) {
      throw new Error(`the directory answered ${issued.status} to the certificate request`);
    }
    const folder = mkdtempSync(path.join(tmpdir(), 'fapi-attack-certificate-'));
    ctx.onCleanup(async () => rmSync(folder, { recursive: true, force: true }));
    const transportCert = path.join(folder, 'transport.crt');
    const transportKey = path.join(folder, 'transport.key');
    writeFileSync(transportCert, chainPem);
    writeFileSync(transportKey, request.privateKeyPem, { mode: 0o600 });
    // Registered, and holding a token bound to the new certificate (RFC 8705 §3), before the revocation.
    const client = await ctx.connectAnother({ ...ctx.participant, transportCert, transportKey });
    const token = await client.clientCredentialsToken('accounts');
    const revoked = await ctx.directoryAdmin('POST', `/certificates/${certificate.serialNumber}/revoke`, {
      reason: 'keyCompromise',
    });
    if (revoked !== 200) throw new Error(`the directory answered ${revoked} to the revocation`);
    ctx.attackNow(`directory: transport certificate ${certificate.serialNumber} revoked (keyCompromise)`);
    await sleep(STATUS_CACHE_MS);
    return client.createAccountAccessConsent(token);
  },
});
