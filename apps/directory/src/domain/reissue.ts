// Reissuing a fixture participant's certificate: the undo of the revoke lesson without `pnpm reset`.
// The directory revokes the old certificate (RFC 5280 §5.3.1 reason superseded), generates a new key pair of
// the same kind, certifies it under the Directory CA for the same software, and writes it where every party
// of `pnpm dev` reads the participant's identity: certs/participants/<slug>/transport.* for a transport
// certificate, the key's entry in signing.private.jwks.json and signing.public.jwks.json (new kid, x5c) for a
// signing certificate, which the software's JWKS then publishes in place of the old key.
// Only the fixture participants qualify: the directory holds no one else's private key (they send a CSR).
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { jwkThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import type { JWK } from 'jose';
import { z } from 'zod';
import type { DirectoryStore } from '../store/index.js';
import type { CertificateAuthority } from './certificate-authority.js';
import { certificateRecord, x5cOf } from './certificate-records.js';
import { type CertificateService, softwareToCertify } from './certificates.js';
import { conflict, invalidRequest } from './errors.js';
import {
  fixtureParticipantOf,
  signingThumbprintsInUse,
  transportThumbprintInUse,
} from './fixture-certificates.js';
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

/** The same kinds of key `pnpm pki` generates: PS256 on RSA 2048, ES256 (and transport) on P-256. */
function newKeyPair(alg: string) {
  return alg === 'PS256'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

const jwksFile = z.object({ keys: z.array(z.object({ kid: z.string() }).loose()) });

/** A JWKS file with the key `kid` swapped for `replacement`, in place (the other keys untouched). */
function jwksWithKeyReplaced(file: string, kid: string, replacement: JWK): string {
  const jwks = jwksFile.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  const index = jwks.keys.findIndex((key) => key.kid === kid);
  if (index < 0) {
    throw conflict(
      `${path.basename(file)} has no key with kid ${kid}, though the public JWKS has: the participant's files are out of step`,
      'regenerate them with pnpm pki',
    );
  }
  jwks.keys[index] = replacement as (typeof jwks.keys)[number];
  return `${JSON.stringify(jwks, null, 2)}\n`;
}

export function createReissuer(deps: {
  config: SandboxConfig;
  store: DirectoryStore;
  registry: Registry;
  ca: CertificateAuthority;
  certificates: CertificateService;
}) {
  const { config, store, registry, ca, certificates } = deps;
  const relative = (file: string) => path.relative(config.repoRoot, file);

  /** The certificate's key is the one the participant's files hold now; anything else the directory cannot replace. */
  function assertInUse(old: CertificateRecord, participant: Participant): void {
    const inUse =
      old.type === 'transport'
        ? transportThumbprintInUse(participant) === old.x5tS256
        : signingThumbprintsInUse(participant).get(old.x5tS256) === old.kid;
    if (inUse) return;
    const file = old.type === 'transport' ? participant.transportCert : participant.signingPublicJwks;
    const why =
      old.source === 'csr'
        ? 'it was issued from a CSR, whose key the directory never sees'
        : 'it was superseded';
    throw conflict(
      `Certificate ${old.serialNumber} is not one ${relative(file)} holds (${why}); the directory reissues only the certificates of the fixture participants' keys, which it holds`,
      `reissue the certificate marked in use on the software statement, or issue a new certificate from a CSR (POST /organisations/${old.orgId}/software-statements/${old.softwareId}/certificates)`,
    );
  }

  // Revoking is irreversible (RFC 5280 §3.3): the caller must name the certificate it agrees to revoke.
  function assertConfirmed(old: CertificateRecord, confirm: string | undefined): void {
    if (confirm === old.serialNumber) return;
    const consequence = old.revokedAt
      ? `Reissuing replaces the revoked certificate ${old.serialNumber} with a new key and certificate in certs/participants`
      : old.type === 'transport'
        ? `Reissuing revokes certificate ${old.serialNumber}, and the bank will refuse tokens bound to it at the next call`
        : `Reissuing revokes signing certificate ${old.serialNumber} (kid ${old.kid}), and the bank will refuse client assertions and request objects signed with its key`;
    throw invalidRequest(
      `${consequence}; ${confirm === undefined ? 'no confirmation was sent' : 'the confirmation names another certificate'}`,
      `to confirm, send a JSON body whose confirm member is ${old.serialNumber}`,
      'RFC 5280 §3.3',
    );
  }

  /** Certifies the new key for the same software and revokes the old certificate as superseded, in one step. */
  async function replace(old: CertificateRecord, keys: { publicKey: KeyObject }, signing?: { kid: string }) {
    const { organisation } = await softwareToCertify(registry, old.orgId, old.softwareId);
    const issued = await ca.issue({
      identity: { orgId: old.orgId, orgName: organisation.orgName, softwareId: old.softwareId },
      type: old.type,
      publicKey: spkiOf(keys.publicKey),
    });
    const record = certificateRecord({
      chainPem: issued.chainPem,
      orgId: old.orgId,
      softwareId: old.softwareId,
      type: old.type,
      source: 'pki',
      ...(signing ? { kid: signing.kid, alg: old.alg ?? undefined } : {}),
    });
    const revoked = await store.transaction(async () => {
      await certificates.record(old.orgId, old.softwareId, [record]);
      return old.revokedAt ? old : certificates.revoke(old.serialNumber, 'superseded');
    });
    return { record, revoked };
  }

  async function reissueTransport(old: CertificateRecord, participant: Participant) {
    const keys = newKeyPair('ES256');
    const { record, revoked } = await replace(old, keys);
    writeAtomically(
      participant.transportKey,
      keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      0o600,
    );
    writeAtomically(participant.transportCert, record.chainPem, 0o644);
    return {
      revoked,
      certificate: record,
      files: { certificate: relative(participant.transportCert), key: relative(participant.transportKey) },
    };
  }

  async function reissueSigning(old: CertificateRecord, participant: Participant) {
    const alg = old.alg ?? 'ES256';
    const keys = newKeyPair(alg);
    const publicMembers = keys.publicKey.export({ format: 'jwk' }) as JWK;
    // RFC 7638 kid, as `pnpm pki` names keys: a new key, a new kid, so verifiers see a key they must fetch.
    const kid = await jwkThumbprint(publicMembers);
    const { record, revoked } = await replace(old, keys, { kid });
    const header = { kid, alg, use: 'sig' };
    const x5c = { x5c: x5cOf(record.chainPem) };
    const privateJwk = { ...header, ...(keys.privateKey.export({ format: 'jwk' }) as JWK), ...x5c };
    const publicJwk = { ...header, ...publicMembers, ...x5c };
    const oldKid = old.kid ?? '';
    // Both files are read before either is written, so a file out of step changes nothing.
    const privateJwks = jwksWithKeyReplaced(participant.signingJwks, oldKid, privateJwk);
    const publicJwks = jwksWithKeyReplaced(participant.signingPublicJwks, oldKid, publicJwk);
    writeAtomically(participant.signingJwks, privateJwks, 0o600);
    writeAtomically(participant.signingPublicJwks, publicJwks, 0o644);
    return {
      revoked,
      certificate: record,
      files: { certificate: relative(participant.signingPublicJwks), key: relative(participant.signingJwks) },
    };
  }

  return async function reissue(
    serialNumber: string,
    confirm: string | undefined,
  ): Promise<ReissuedCertificate> {
    const old = await certificates.get(serialNumber);
    const participant = fixtureParticipantOf(config, old.softwareId);
    if (!participant) {
      throw conflict(
        `Certificate ${old.serialNumber} belongs to software ${old.softwareId}, which is not a fixture participant in certs/participants; the directory holds no key of it to reissue`,
        `issue a new certificate from a CSR instead (POST /organisations/${old.orgId}/software-statements/${old.softwareId}/certificates), then revoke this one`,
      );
    }
    assertInUse(old, participant);
    assertConfirmed(old, confirm);
    return old.type === 'transport' ? reissueTransport(old, participant) : reissueSigning(old, participant);
  };
}

export type Reissuer = ReturnType<typeof createReissuer>;
