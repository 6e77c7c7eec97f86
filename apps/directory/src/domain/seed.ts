// The ecosystem as the sandbox starts it: the bank's organisation and authorisation server, the two demo
// TPPs and their software statements (from config), and the participants' certificates from the generated
// PKI (transport certificates, the signing certificates behind their JWKS x5c, the revoked and expired
// fixtures). Runs at every start and only adds what is missing, so a renewed PKI is picked up while
// everything an admin changed (statuses, revocations, new entries) is kept.
import fs from 'node:fs';
import { certificateIdentity } from '@fapi-sandbox/fapi-core/certificate-identity';
import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import type { Logger } from '@fapi-sandbox/fapi-core/log';
import { readPem } from '@fapi-sandbox/fapi-core/tls';
import { z } from 'zod';
import type { DirectoryStore } from '../store/index.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { certificateRecord, certificatesOf, pemChainFromX5c } from './certificate-records.js';
import {
  type CertificateRecord,
  type CertificateType,
  SOFTWARE_ROLES,
  type SoftwareRole,
  type SoftwareStatement,
} from './model.js';

const BANK_AUTHORISATION_SERVER_ID = 'sandbox-bank-authorisation-server';

const publicJwksFile = z.object({
  keys: z.array(
    z
      .object({ kid: z.string().min(1), alg: z.string().min(1), x5c: z.array(z.string().min(1)).min(1) })
      .loose(),
  ),
});

const manifestFile = z.object({ revokedSerials: z.array(z.string()) }).loose();

interface PkiCertificate {
  chainPem: string;
  type: CertificateType;
  kid?: string;
  alg?: string;
  /** Where it came from, for the log. */
  file: string;
}

function readJson(file: string): unknown {
  return JSON.parse(readPem(file).toString('utf8'));
}

function participantCertificates(participant: Participant): PkiCertificate[] {
  const jwks = publicJwksFile.parse(readJson(participant.signingPublicJwks));
  return [
    {
      chainPem: readPem(participant.transportCert).toString('utf8'),
      type: 'transport',
      file: participant.transportCert,
    },
    ...jwks.keys.map((key) => ({
      chainPem: pemChainFromX5c(key.x5c),
      type: 'signing' as const,
      kid: key.kid,
      alg: key.alg,
      file: participant.signingPublicJwks,
    })),
  ];
}

function negativeCertificates(config: SandboxConfig): PkiCertificate[] {
  return [config.negative.revokedTransportCert, config.negative.expiredTransportCert].map((file) => ({
    chainPem: readPem(file).toString('utf8'),
    type: 'transport' as const,
    file,
  }));
}

function revokedSerials(config: SandboxConfig): Set<string> {
  if (!fs.existsSync(config.pkiManifest)) return new Set();
  const manifest = manifestFile.parse(readJson(config.pkiManifest));
  return new Set(manifest.revokedSerials.map((serial) => serial.replace(/:/g, '').toUpperCase()));
}

function seededSoftware(participant: Participant, at: string): SoftwareStatement {
  const role = participant.roles.includes('PISP')
    ? 'account information and payment initiation'
    : 'account information';
  return {
    softwareId: participant.softwareId,
    orgId: participant.orgId,
    clientName: participant.clientName,
    description: `${participant.clientName}: ${role} (FAPI Sandbox demo TPP)`,
    version: '1.0',
    roles: participant.roles.filter((role): role is SoftwareRole =>
      (SOFTWARE_ROLES as readonly string[]).includes(role),
    ),
    redirectUris: [...participant.redirectUris],
    logoUri: participant.logoUri,
    status: 'active',
    createdAt: at,
    updatedAt: at,
  };
}

export async function seedDirectory(deps: {
  config: SandboxConfig;
  store: DirectoryStore;
  ca: CertificateAuthority;
  log: Logger;
}): Promise<void> {
  const { config, store, ca, log } = deps;
  const at = new Date().toISOString();
  const participants = [config.participants.demo, config.participants.second];
  const revoked = revokedSerials(config);

  // Read and check every PKI file before writing anything, so a broken file changes nothing.
  const pkiCertificates = [...participants.flatMap(participantCertificates), ...negativeCertificates(config)];

  await store.transaction(async () => {
    // Replicas starting together on a fresh database seed one after the other, never side by side.
    await store.holdExclusively('seed');
    for (const org of [config.bank, ...participants]) {
      const existing = await store.organisations.get(org.orgId);
      if (!existing) {
        await store.organisations.insert({
          orgId: org.orgId,
          orgName: org.orgName,
          status: 'active',
          createdAt: at,
          updatedAt: at,
        });
      } else if (existing.orgName !== org.orgName) {
        await store.organisations.rename(org.orgId, org.orgName, at);
      }
    }

    const issuer = config.bankOp.issuer;
    const bankServer = {
      authorisationServerId: BANK_AUTHORISATION_SERVER_ID,
      orgId: config.bank.orgId,
      issuer,
      discoveryUrl: `${issuer}/.well-known/openid-configuration`,
      apiBaseUrl: config.bankApi.baseUrl,
      customerFriendlyName: 'Sandbox Bank',
      logoUri: `${config.bankOp.web.origin}/logo.svg`,
      createdAt: at,
    };
    if (await store.organisations.authorisationServers.get(BANK_AUTHORISATION_SERVER_ID)) {
      await store.organisations.authorisationServers.update(bankServer);
    } else {
      await store.organisations.authorisationServers.insert(bankServer);
    }

    for (const participant of participants) {
      const software = seededSoftware(participant, at);
      const existing = await store.softwareStatements.get(participant.softwareId);
      if (existing)
        await store.softwareStatements.updateDetails({ ...software, createdAt: existing.createdAt });
      else await store.softwareStatements.insert(software);
    }

    let revocations = 0;
    for (const pki of pkiCertificates) {
      const record = await registrable(pki);
      if (!record) continue;
      const known = await store.certificates.byThumbprint(record.x5tS256);
      const mustBeRevoked = revoked.has(record.serialNumber);
      if (!known) {
        const inserted: CertificateRecord = mustBeRevoked
          ? { ...record, revokedAt: at, revocationReason: 'keyCompromise' }
          : record;
        await store.certificates.insert(inserted);
        if (inserted.revokedAt) revocations++;
      } else if (mustBeRevoked && !known.revokedAt) {
        await store.certificates.revoke(known.serialNumber, 'keyCompromise', at);
        revocations++;
      }
    }
    if (revocations > 0) await store.settings.bumpCrlNumber();
  });

  /** The record for a PKI certificate the Directory CA issued to a registered software statement. */
  async function registrable(pki: PkiCertificate): Promise<CertificateRecord | undefined> {
    const [leaf] = certificatesOf(pki.chainPem);
    if (!leaf || !ca.issued(leaf)) {
      log.warn(
        { file: pki.file },
        `skipped ${pki.file}: not issued by the current Directory CA (run pnpm pki:ensure)`,
      );
      return undefined;
    }
    const { orgId, softwareId } = certificateIdentity(leaf);
    const software = softwareId ? await store.softwareStatements.get(softwareId) : undefined;
    if (!software || software.orgId !== orgId) {
      log.warn({ file: pki.file }, `skipped ${pki.file}: its subject names no registered software statement`);
      return undefined;
    }
    const record = certificateRecord({
      chainPem: pki.chainPem,
      orgId: software.orgId,
      softwareId: software.softwareId,
      type: pki.type,
      source: 'pki',
      kid: pki.kid,
      alg: pki.alg,
    });
    // Certificates that arrive for revoked software are born revoked: revocation is final.
    return software.status === 'revoked'
      ? { ...record, revokedAt: record.createdAt, revocationReason: 'cessationOfOperation' }
      : record;
  }
}
