// Reissuing a fixture participant's transport certificate: the undo of the revoke lesson without `pnpm reset`.
// The directory revokes the old certificate (RFC 5280 §5.3.1 reason superseded), generates a new key pair,
// certifies it under the Directory CA for the same software, and writes key and certificate over
// certs/participants/<slug>/transport.*, where every party of `pnpm dev` reads the participant's identity.
// Only the fixture participants qualify: the directory holds no one else's private key (they send a CSR).
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import type { DirectoryStore } from '../store/index.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { certificateRecord } from './certificate-records.js';
import { type CertificateService, softwareToCertify } from './certificates.js';
import { conflict, invalidRequest } from './errors.js';
import { fixtureParticipantOf, transportThumbprintInUse } from './fixture-certificates.js';
import { spkiOf } from './keys.js';
import type { CertificateRecord } from './model.js';
import type { Registry } from './registry.js';

export interface ReissuedCertificate {
  revoked: CertificateRecord;
  certificate: CertificateRecord;
  /** Where the new key and certificate were written (relative to the repository). */
  files: { certificate: string; key: string };
}

/** Writes through a temporary file and a rename, so a reader never sees half a key or certificate. */
function writeAtomically(file: string, contents: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, contents, { mode });
  fs.renameSync(temporary, file);
}

export function createReissuer(deps: {
  config: SandboxConfig;
  store: DirectoryStore;
  registry: Registry;
  ca: CertificateAuthority;
  certificates: CertificateService;
}) {
  const { config, store, registry, ca, certificates } = deps;

  return async function reissue(
    serialNumber: string,
    confirm: string | undefined,
  ): Promise<ReissuedCertificate> {
    const old = certificates.get(serialNumber);
    const participant = fixtureParticipantOf(config, old.softwareId);
    if (old.type !== 'transport' || !participant) {
      throw conflict(
        `Certificate ${old.serialNumber} is a ${old.type} certificate of software ${old.softwareId}; the directory reissues only the transport certificates of the fixture participants in certs/participants, whose keys it holds`,
        `issue a new certificate from a CSR instead (POST /organisations/${old.orgId}/software-statements/${old.softwareId}/certificates), then revoke this one`,
      );
    }
    if (transportThumbprintInUse(participant) !== old.x5tS256) {
      const why =
        old.source === 'csr'
          ? 'it was issued from a CSR, whose key the directory never sees'
          : 'it was superseded';
      throw conflict(
        `Certificate ${old.serialNumber} is not the one certs/participants/${participant.slug}/transport.crt holds (${why}); the directory reissues only the transport certificates of the fixture participants, whose keys it holds`,
        `reissue the certificate marked in use on the software statement, or issue a new certificate from a CSR (POST /organisations/${old.orgId}/software-statements/${old.softwareId}/certificates)`,
      );
    }
    // Revoking is irreversible (RFC 5280 §3.3): the caller must name the certificate it agrees to revoke.
    if (confirm !== old.serialNumber) {
      const consequence = old.revokedAt
        ? `Reissuing replaces the revoked certificate ${old.serialNumber} with a new key and certificate in certs/participants`
        : `Reissuing revokes certificate ${old.serialNumber}, and the bank will refuse tokens bound to it at the next call`;
      throw invalidRequest(
        `${consequence}; ${confirm === undefined ? 'no confirmation was sent' : 'the confirmation names another certificate'}`,
        `to confirm, send a JSON body whose confirm member is ${old.serialNumber}`,
        'RFC 5280 §3.3',
      );
    }
    const { organisation } = softwareToCertify(registry, old.orgId, old.softwareId);

    // The same kind of key as `pnpm pki` generates for a transport certificate: ECDSA P-256.
    const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const issued = await ca.issue({
      identity: { orgId: old.orgId, orgName: organisation.orgName, softwareId: old.softwareId },
      type: 'transport',
      publicKey: spkiOf(keys.publicKey),
    });
    const record = certificateRecord({
      chainPem: issued.chainPem,
      orgId: old.orgId,
      softwareId: old.softwareId,
      type: 'transport',
      source: 'pki',
    });
    const revoked = store.transaction(() => {
      store.certificates.insert(record);
      return old.revokedAt ? old : certificates.revoke(old.serialNumber, 'superseded');
    });
    writeAtomically(
      participant.transportKey,
      keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      0o600,
    );
    writeAtomically(participant.transportCert, record.chainPem, 0o644);
    const relative = (file: string) => path.relative(config.repoRoot, file);
    return {
      revoked,
      certificate: record,
      files: { certificate: relative(participant.transportCert), key: relative(participant.transportKey) },
    };
  };
}

export type Reissuer = ReturnType<typeof createReissuer>;
