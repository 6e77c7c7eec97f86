// Is the PKI on disk complete, consistent and far from expiry? Reads only with node:crypto so that
// `pnpm pki:ensure` on a healthy PKI finishes in a blink.
import { createPrivateKey, createPublicKey, type X509Certificate } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { commonNameOf, parsePemCertificates, parseX5cEntry } from './inspect.js';
import type { Jwks } from './jwks.js';
import { type PlannedFile, pkiLayout, planDigest, serverHostnames, serverKeys } from './layout.js';
import { type PkiManifest, readPkiManifest } from './manifest.js';
import { needsRenewal, RENEW_WITHIN_DAYS } from './policy.js';

export type PkiStatus =
  | { fresh: true; manifest: PkiManifest; firstExpiry: { path: string; notAfter: Date } }
  | {
      fresh: false;
      reasons: string[];
      /**
       * Only the parties' host names changed (a new FAPI_BASE_DOMAIN): reissuing the server certificates
       * is enough, and the root CA, the Directory CA and the participants' keys stay.
       */
      serverNamesOnly?: true;
    };

export interface CheckOptions {
  now?: Date;
}

/** Why a PKI is generated on a fresh clone. */
export const NO_PKI_YET = 'there was no sandbox PKI yet (first run)';

const CONFIGURATION_CHANGED =
  'the sandbox configuration (host names, identities or file paths) changed since generation';

const certificateKinds = new Set(['certificate', 'certificate-chain', 'trust-bundle']);

/** The certificates a file holds: PEM blocks in file order, or each JWK's own certificate (x5c[0]). */
function certificatesIn(planned: PlannedFile, text: string): X509Certificate[] {
  if (certificateKinds.has(planned.kind)) return parsePemCertificates(text);
  if (planned.kind === 'private-jwks' || planned.kind === 'public-jwks') {
    const jwks = JSON.parse(text) as Jwks;
    return jwks.keys.flatMap((jwk) => (jwk.x5c?.[0] ? [parseX5cEntry(jwk.x5c[0])] : []));
  }
  return [];
}

/** The certificates the file vouches for: a chain's leaf, every JWK's certificate, every bundle member. */
function subjectsOf(planned: PlannedFile, certificates: X509Certificate[]): X509Certificate[] {
  return planned.kind === 'certificate' || planned.kind === 'certificate-chain'
    ? certificates.slice(0, 1)
    : certificates;
}

/** The DNS names of a server certificate's subjectAltName, in certificate order (RFC 5280 §4.2.1.6). */
function dnsNamesOf(certificate: X509Certificate | undefined): string[] {
  return (certificate?.subjectAltName ?? '')
    .split(', ')
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice('DNS:'.length));
}

const spki = (key: ReturnType<typeof createPublicKey>) => key.export({ type: 'spki', format: 'der' });

export async function checkPki(config: SandboxConfig, options: CheckOptions = {}): Promise<PkiStatus> {
  const now = options.now ?? new Date();
  // A first run is not an error: say "no PKI yet", not readPkiManifest's "generate it with pnpm pki",
  // which callers print right after generating it.
  const hasManifest = await access(config.pkiManifest).then(
    () => true,
    () => false,
  );
  if (!hasManifest) return { fresh: false, reasons: [NO_PKI_YET] };
  let manifest: PkiManifest;
  try {
    manifest = await readPkiManifest(config);
  } catch (error) {
    return { fresh: false, reasons: [(error as Error).message] };
  }
  const reasons: string[] = [];
  const reconfigured = manifest.planDigest !== planDigest(config);

  const layout = pkiLayout(config);
  const texts = new Map<string, string>();
  await Promise.all(
    layout.map(async (planned) => {
      try {
        texts.set(planned.id, await readFile(planned.path, 'utf8'));
      } catch {
        reasons.push(`${planned.relativePath} is missing`);
      }
    }),
  );
  const planned = new Set(layout.map((file) => file.relativePath));
  await Promise.all(
    manifest.files
      .filter((file) => !planned.has(file.path))
      .map((file) =>
        access(path.join(config.certsDir, ...file.path.split('/'))).catch(() => {
          reasons.push(`${file.path} (listed in the manifest) is missing`);
        }),
      ),
  );
  if (reasons.length > 0)
    return { fresh: false, reasons: reconfigured ? [CONFIGURATION_CHANGED, ...reasons] : reasons };

  const certificates = new Map<string, X509Certificate[]>();
  for (const file of layout) {
    try {
      const found = certificatesIn(file, texts.get(file.id)!);
      if (certificateKinds.has(file.kind) && found.length === 0)
        reasons.push(`${file.relativePath} holds no certificate`);
      certificates.set(file.id, found);
    } catch {
      reasons.push(`${file.relativePath} cannot be parsed`);
    }
  }
  if (reasons.length > 0)
    return { fresh: false, reasons: reconfigured ? [CONFIGURATION_CHANGED, ...reasons] : reasons };

  const relativePathOf = (id: string) => layout.find((file) => file.id === id)?.relativePath ?? id;
  const firstCertificateOf = (id: string) => certificates.get(id)?.[0];
  let serverNamesOnly = false;
  if (reconfigured) {
    const namesOnDisk = serverKeys.map((key) => dnsNamesOf(firstCertificateOf(`${key}.serverCert`)));
    serverNamesOnly = manifest.planDigest === planDigest(config, namesOnDisk);
    reasons.push(
      serverNamesOnly
        ? `the sandbox configuration names other hosts (base domain ${config.baseDomain}): ${serverKeys
            .map(
              (key, index) =>
                `${relativePathOf(`${key}.serverCert`)} names ${namesOnDisk[index]!.join(', ')}, not ${serverHostnames(config[key]).join(', ')}`,
            )
            .join('; ')}`
        : CONFIGURATION_CHANGED,
    );
  }
  let firstExpiry: { path: string; notAfter: Date } | undefined;

  for (const file of layout) {
    const subjects = subjectsOf(file, certificates.get(file.id) ?? []);
    if (!file.expiredOnPurpose) {
      for (const certificate of subjects) {
        const notAfter = new Date(certificate.validTo);
        if (needsRenewal(notAfter, now)) {
          reasons.push(
            `${file.relativePath}: "${commonNameOf(certificate)}" expires ${notAfter.toISOString()} (renewal window ${RENEW_WITHIN_DAYS} days)`,
          );
        } else if (new Date(certificate.validFrom) > now) {
          reasons.push(`${file.relativePath}: "${commonNameOf(certificate)}" is not valid yet`);
        }
        if (!firstExpiry || notAfter < firstExpiry.notAfter)
          firstExpiry = { path: file.relativePath, notAfter };
      }
    }
    const issuer = file.issuerId ? firstCertificateOf(file.issuerId) : undefined;
    if (issuer && subjects.some((c) => !(c.checkIssued(issuer) && c.verify(issuer.publicKey)))) {
      reasons.push(`${file.relativePath} was not issued by the CA in ${relativePathOf(file.issuerId!)}`);
    }
    if (file.bundleOf) {
      const members = file.bundleOf.map((id) => firstCertificateOf(id)?.fingerprint256);
      const bundled = (certificates.get(file.id) ?? []).map((c) => c.fingerprint256);
      if (members.join() !== bundled.join()) {
        reasons.push(`${file.relativePath} does not hold ${file.bundleOf.map(relativePathOf).join(' + ')}`);
      }
    }
    const certificateOfKey = file.keyOf ? firstCertificateOf(file.keyOf) : undefined;
    if (certificateOfKey) {
      let matches = false;
      try {
        matches = spki(createPublicKey(createPrivateKey(texts.get(file.id)!))).equals(
          spki(certificateOfKey.publicKey),
        );
      } catch {
        matches = false;
      }
      if (!matches) reasons.push(`${file.relativePath} is not the key of ${relativePathOf(file.keyOf!)}`);
    }
  }
  if (reasons.length > 0 || !firstExpiry) {
    const onlyNames = serverNamesOnly && reasons.length === 1;
    return { fresh: false, reasons, ...(onlyNames ? { serverNamesOnly: true as const } : {}) };
  }
  return { fresh: true, manifest, firstExpiry };
}
