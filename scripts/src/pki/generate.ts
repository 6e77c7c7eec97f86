// Builds the whole sandbox PKI in memory from the configuration, then writes it in one swap.
// The CLI is a thin shell around `generatePki`; tests call it with a config pointing at a temp folder.
import { readFile } from 'node:fs/promises';
import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import {
  type CertificateAuthorities,
  createIssuingCas,
  createRootCa,
  createServerCa,
  createUntrustedCa,
  reuseRootCa,
} from './authorities.js';
import { encryptionJwks, publicHalfOf } from './encryption.js';
import { explainMarkdown } from './explain.js';
import {
  type Authority,
  issueServerCertificate,
  issueSigningCertificate,
  issueTransportCertificate,
} from './issue.js';
import { buildJwks, serviceSigningJwks } from './jwks.js';
import { generateKeyPair, importKeyPair, privateKeyToPem, type SandboxKeyPair } from './keys.js';
import {
  BANK_API_CLIENT_NAME,
  PKI_FORMAT_VERSION,
  type PlannedFile,
  pkiLayout,
  planDigest,
  rootKeyPath,
  serverHostnames,
  serverKeys,
} from './layout.js';
import { withPkiLock } from './lock.js';
import { describeFile, type PkiManifest } from './manifest.js';
import { expiredValidity, LEAF_VALIDITY_DAYS, type Validity, validityFor } from './policy.js';
import { replaceDirectory } from './write.js';
import { x509 } from './x509.js';

export interface GenerateOptions {
  /** The clock; tests move it to make certificates that are close to expiry. */
  now?: Date;
  /** Keep the existing root CA (and its key) when it is sound and far from expiry. */
  reuseRoot?: boolean;
}

export interface GenerationResult {
  manifest: PkiManifest;
  /** Whether the previous root CA was kept, and if reuse was asked for but refused, why. */
  root: { reused: true } | { reused: false; reason?: string };
  /** `servers`: only the Server CA and the server certificates were issued again (new host names). */
  reissued?: 'servers';
  durationMs: number;
}

/** File content by planned file id. */
type Contents = Map<string, string>;

const pem = (...certificates: x509.X509Certificate[]) =>
  `${certificates.map((certificate) => certificate.toString('pem')).join('\n')}\n`;
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

async function rootFor(
  config: SandboxConfig,
  now: Date,
  reuse: boolean,
): Promise<{ root: Authority; outcome: GenerationResult['root'] }> {
  if (!reuse) return { root: await createRootCa(now), outcome: { reused: false } };
  let certificatePem: string;
  let keyPem: string;
  try {
    [certificatePem, keyPem] = await Promise.all([
      readFile(config.ca.root, 'utf8'),
      readFile(rootKeyPath(config), 'utf8'),
    ]);
  } catch {
    return {
      root: await createRootCa(now),
      outcome: { reused: false, reason: 'there was no root CA and key' },
    };
  }
  const existing = await reuseRootCa(certificatePem, keyPem, now);
  if (existing.reusable) return { root: existing.root, outcome: { reused: true } };
  return { root: await createRootCa(now), outcome: { reused: false, reason: existing.reason } };
}

async function keyAndCertificate(
  issue: (key: SandboxKeyPair) => Promise<x509.X509Certificate>,
): Promise<{ key: SandboxKeyPair; certificate: x509.X509Certificate }> {
  const key = await generateKeyPair('ES256');
  return { key, certificate: await issue(key) };
}

async function authorityContents(cas: CertificateAuthorities, contents: Contents): Promise<void> {
  contents.set('ca.root', pem(cas.root.certificate));
  contents.set('ca.rootKey', await privateKeyToPem(cas.root.key));
  contents.set('ca.server', pem(cas.server.certificate));
  contents.set('ca.directory', pem(cas.directory.certificate));
  contents.set('ca.directoryKey', await privateKeyToPem(cas.directory.key));
}

async function serverContents(
  config: SandboxConfig,
  cas: CertificateAuthorities,
  leaf: Validity,
  contents: Contents,
) {
  await Promise.all(
    serverKeys.map(async (key) => {
      const { key: pair, certificate } = await keyAndCertificate((k) =>
        issueServerCertificate(cas.server, serverHostnames(config[key]), k, leaf),
      );
      contents.set(`${key}.serverCert`, pem(certificate, cas.server.certificate));
      contents.set(`${key}.serverKey`, await privateKeyToPem(pair));
    }),
  );
}

/** One PS256 and one ES256 key, each certified by the Directory CA for `participant`. */
async function participantSigningKeys(participant: Participant, directory: Authority, leaf: Validity) {
  const pairs = await Promise.all([generateKeyPair('PS256'), generateKeyPair('ES256')]);
  return buildJwks(
    await Promise.all(
      pairs.map(async (pair) => ({
        pair,
        certificateChain: [
          await issueSigningCertificate(directory, participant, pair, leaf),
          directory.certificate,
        ],
      })),
    ),
  );
}

async function participantContents(
  config: SandboxConfig,
  cas: CertificateAuthorities,
  leaf: Validity,
  contents: Contents,
) {
  await Promise.all(
    (['demo', 'second'] as const).map(async (which) => {
      const participant = config.participants[which];
      const id = `participants.${which}`;
      const [transport, signing] = await Promise.all([
        keyAndCertificate((k) => issueTransportCertificate(cas.directory, participant, k, leaf)),
        participantSigningKeys(participant, cas.directory, leaf),
      ]);
      contents.set(`${id}.transportCert`, pem(transport.certificate, cas.directory.certificate));
      contents.set(`${id}.transportKey`, await privateKeyToPem(transport.key));
      contents.set(`${id}.signingJwks`, json(signing.privateJwks));
      contents.set(`${id}.signingPublicJwks`, json(signing.publicJwks));
      const encryption = await encryptionJwks();
      contents.set(`${id}.encryptionJwks`, json(encryption));
      contents.set(`${id}.encryptionPublicJwks`, json(publicHalfOf(encryption)));
    }),
  );
}

/** bank-api's transport certificate, issued to the bank as a participant (it calls bank-op's introspection). */
async function bankApiClientContents(
  config: SandboxConfig,
  cas: CertificateAuthorities,
  leaf: Validity,
  contents: Contents,
) {
  const bank = { orgId: config.bank.orgId, orgName: config.bank.orgName, softwareId: BANK_API_CLIENT_NAME };
  const { key, certificate } = await keyAndCertificate((k) =>
    issueTransportCertificate(cas.directory, bank, k, leaf),
  );
  contents.set('bankApi.introspectionCert', pem(certificate, cas.directory.certificate));
  contents.set('bankApi.introspectionKey', await privateKeyToPem(key));
}

async function negativeContents(
  config: SandboxConfig,
  cas: CertificateAuthorities,
  now: Date,
  contents: Contents,
) {
  const demo = config.participants.demo;
  const leaf = validityFor(now, LEAF_VALIDITY_DAYS);
  const untrustedCa = await createUntrustedCa(now);
  const [expired, untrusted, revoked] = await Promise.all([
    keyAndCertificate((k) => issueTransportCertificate(cas.directory, demo, k, expiredValidity(now))),
    keyAndCertificate((k) => issueTransportCertificate(untrustedCa, demo, k, leaf)),
    keyAndCertificate((k) => issueTransportCertificate(cas.directory, demo, k, leaf)),
  ]);
  contents.set('negative.expiredTransportCert', pem(expired.certificate, cas.directory.certificate));
  contents.set('negative.expiredTransportKey', await privateKeyToPem(expired.key));
  contents.set('negative.untrustedCa', pem(untrustedCa.certificate));
  contents.set('negative.untrustedTransportCert', pem(untrusted.certificate, untrustedCa.certificate));
  contents.set('negative.untrustedTransportKey', await privateKeyToPem(untrusted.key));
  contents.set('negative.revokedTransportCert', pem(revoked.certificate, cas.directory.certificate));
  contents.set('negative.revokedTransportKey', await privateKeyToPem(revoked.key));
}

function bundleContents(layout: PlannedFile[], contents: Contents): void {
  for (const planned of layout) {
    if (!planned.bundleOf) continue;
    contents.set(planned.id, planned.bundleOf.map((id) => contents.get(id)!).join(''));
  }
}

function manifestFor(
  config: SandboxConfig,
  layout: PlannedFile[],
  contents: Contents,
  now: Date,
): PkiManifest {
  const files = layout.map((planned) => describeFile(planned, contents.get(planned.id) ?? ''));
  const revoked = files.find((file) => file.id === 'negative.revokedTransportCert')?.certificates?.[0];
  return {
    formatVersion: PKI_FORMAT_VERSION,
    generatedAt: now.toISOString(),
    planDigest: planDigest(config),
    files,
    revokedSerials: revoked ? [revoked.serialNumber] : [],
  };
}

async function buildAndWrite(config: SandboxConfig, options: GenerateOptions): Promise<GenerationResult> {
  const started = performance.now();
  const now = options.now ?? new Date();
  const layout = pkiLayout(config);
  const { root, outcome } = await rootFor(config, now, options.reuseRoot ?? false);
  const cas = await createIssuingCas(root, now);
  const leaf = validityFor(now, LEAF_VALIDITY_DAYS);
  const contents: Contents = new Map();
  const [bankOpJwks, ssaJwks, bankOpEncryptionJwks, bankApiJwks] = await Promise.all([
    serviceSigningJwks(),
    serviceSigningJwks(),
    encryptionJwks(),
    serviceSigningJwks(),
    authorityContents(cas, contents),
    serverContents(config, cas, leaf, contents),
    participantContents(config, cas, leaf, contents),
    bankApiClientContents(config, cas, leaf, contents),
    negativeContents(config, cas, now, contents),
  ]);
  contents.set('bankOp.signingJwks', json(bankOpJwks));
  contents.set('bankOp.encryptionJwks', json(bankOpEncryptionJwks));
  contents.set('directory.ssaSigningJwks', json(ssaJwks));
  contents.set('bankApi.signingJwks', json(bankApiJwks));
  const manifest = await writeAll(config, layout, contents, now);
  return { manifest, root: outcome, durationMs: Math.round(performance.now() - started) };
}

/** Completes the bundles, the manifest and the README, then swaps the whole folder in at once. */
async function writeAll(
  config: SandboxConfig,
  layout: PlannedFile[],
  contents: Contents,
  now: Date,
): Promise<PkiManifest> {
  bundleContents(layout, contents);
  const manifest = manifestFor(config, layout, contents, now);
  contents.set('pkiManifest', json(manifest));
  contents.set('readme', explainMarkdown(manifest));

  const missing = layout.filter((planned) => !contents.has(planned.id)).map((planned) => planned.id);
  if (missing.length > 0 || contents.size !== layout.length) {
    throw new Error(
      `PKI generator and layout disagree; not generated: ${missing.join(', ') || '(extra files)'}`,
    );
  }
  await replaceDirectory(
    config.certsDir,
    layout.map((planned) => ({
      relativePath: planned.relativePath,
      content: contents.get(planned.id)!,
      secret: planned.secret,
    })),
  );
  return manifest;
}

/**
 * New host names (FAPI_BASE_DOMAIN): a new Server CA under the same root, and each party's server
 * certificate issued again for its new names and its same key. Everything else is kept as it is: the
 * root CA a browser may trust, the Directory CA, the participants' certificates and keys, the bank's keys.
 * Undefined when the root CA cannot be kept (then the caller generates everything).
 */
async function reissueServers(
  config: SandboxConfig,
  options: GenerateOptions,
): Promise<GenerationResult | undefined> {
  const started = performance.now();
  const now = options.now ?? new Date();
  const { root, outcome } = await rootFor(config, now, true);
  if (!outcome.reused) return undefined;
  const layout = pkiLayout(config);
  const contents: Contents = new Map(
    await Promise.all(
      layout.map(async (planned) => [planned.id, await readFile(planned.path, 'utf8')] as const),
    ),
  );
  const server = await createServerCa(root, now);
  contents.set('ca.server', pem(server.certificate));
  const leaf = validityFor(now, LEAF_VALIDITY_DAYS);
  await Promise.all(
    serverKeys.map(async (key) => {
      const previous = new x509.X509Certificate(
        x509.PemConverter.decodeFirst(contents.get(`${key}.serverCert`)!),
      );
      const pair = await importKeyPair('ES256', contents.get(`${key}.serverKey`)!, previous);
      const certificate = await issueServerCertificate(server, serverHostnames(config[key]), pair, leaf);
      contents.set(`${key}.serverCert`, pem(certificate, server.certificate));
    }),
  );
  const manifest = await writeAll(config, layout, contents, now);
  return {
    manifest,
    root: outcome,
    reissued: 'servers',
    durationMs: Math.round(performance.now() - started),
  };
}

/** For callers that hold the PKI lock: reissue the server certificates, or generate all when that cannot be. */
export async function reissueServersLocked(
  config: SandboxConfig,
  options: GenerateOptions = {},
): Promise<GenerationResult> {
  return (await reissueServers(config, options)) ?? buildAndWrite(config, { ...options, reuseRoot: true });
}

/** Generates every file of the sandbox PKI into `config.certsDir`, replacing what was there. */
export function generatePki(config: SandboxConfig, options: GenerateOptions = {}): Promise<GenerationResult> {
  return withPkiLock(config.certsDir, () => buildAndWrite(config, options));
}

/** For callers that already hold the PKI lock (`ensurePki`). */
export const generatePkiLocked = buildAndWrite;
