// The bank's encryption keys (use "enc"): RSA-OAEP-256 (RSA 2048) and ECDH-ES (P-256), the two key
// management algorithms the bank accepts for encrypted request objects (RFC 9101 §6.1, RFC 7518 §4.3
// and §4.6). Nobody certifies them, nor bank-api's message signing keys, so they can be added to a PKI
// generated before they existed: `pnpm pki:ensure` writes only the missing ones and records them in the
// manifest and README.
import { access, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { explainMarkdown } from './explain.js';
import { type Jwks, serviceSigningJwks } from './jwks.js';
import { type PlannedFile, pkiLayout, readmePath } from './layout.js';
import { describeFile, type PkiManifest } from './manifest.js';

/** The bank's private encryption JWKS: one key per accepted key management algorithm. */
export async function encryptionJwks(): Promise<Jwks> {
  const keys = await Promise.all(
    (
      [
        ['RSA-OAEP-256', { modulusLength: 2048 }],
        ['ECDH-ES', { crv: 'P-256' }],
      ] as const
    ).map(async ([alg, options]) => {
      const { privateKey, publicKey } = await generateKeyPair(alg, { ...options, extractable: true });
      const kid = await calculateJwkThumbprint(await exportJWK(publicKey), 'sha256');
      return { kid, alg, use: 'enc', ...(await exportJWK(privateKey)) };
    }),
  );
  return { keys };
}

/** `participants.demo.encryptionPublicJwks` → `participants.demo.encryptionJwks`; undefined for a private JWKS. */
function privateIdOf(planned: PlannedFile): string | undefined {
  return planned.kind === 'public-jwks' ? planned.id.replace(/PublicJwks$/, 'Jwks') : undefined;
}

/** The public members of each key (RFC 7518 §6.2.1, §6.3.1): no d, p, q, dp, dq, qi. */
export function publicHalfOf(jwks: Jwks): Jwks {
  return {
    keys: jwks.keys.map(({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest }) => rest),
  };
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

async function writeSecret(file: string, content: string, mode: number): Promise<void> {
  const staging = `${file}.${process.pid}.tmp`;
  await writeFile(staging, content, { mode });
  await rename(staging, file);
}

/**
 * Writes the addable files a generated PKI lacks (call it holding the PKI lock) and adds them to the
 * manifest and README. Returns their relative paths; nothing when there is no PKI yet.
 */
export async function addMissingEncryptionKeys(
  config: SandboxConfig,
  manifest: PkiManifest,
): Promise<string[]> {
  const addable = pkiLayout(config).filter((file) => file.addable);
  const missing: PlannedFile[] = [];
  for (const planned of addable) {
    // A public JWKS is the half of its private one: written again whenever that one is.
    const privateHalf = addable.find((file) => file.id === privateIdOf(planned));
    const absent = !(await exists(planned.path)) || (privateHalf && !(await exists(privateHalf.path)));
    if (absent) missing.push(planned);
  }
  if (missing.length === 0) return [];
  const files = manifest.files.filter((file) => !missing.some((planned) => planned.id === file.id));
  const written = new Map<string, Jwks>();
  // The layout lists each private JWKS before its public half.
  for (const planned of missing) {
    const privateHalf = written.get(privateIdOf(planned) ?? '');
    const jwks = privateHalf
      ? publicHalfOf(privateHalf)
      : planned.id === 'bankApi.signingJwks'
        ? await serviceSigningJwks()
        : await encryptionJwks();
    written.set(planned.id, jwks);
    const content = `${JSON.stringify(jwks, null, 2)}\n`;
    await writeSecret(planned.path, content, planned.secret ? 0o600 : 0o644);
    files.push(describeFile(planned, content));
  }
  const updated: PkiManifest = { ...manifest, files };
  await writeSecret(config.pkiManifest, `${JSON.stringify(updated, null, 2)}\n`, 0o644);
  await writeSecret(readmePath(config), explainMarkdown(updated), 0o644);
  return missing.map((planned) => path.relative(config.certsDir, planned.path).split(path.sep).join('/'));
}
