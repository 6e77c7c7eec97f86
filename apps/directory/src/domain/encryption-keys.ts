// The software's encryption keys (use enc), published in its JWKS beside the signing keys so a bank can
// encrypt ID tokens to the TPP (OIDC Core §10.2, RFC 7517 §4.2). The sandbox's fixture participants
// keep them in certs/participants/<slug>/encryption.public.jwks.json (`pnpm pki`); software made in the
// developer portal gets a pair with its client bundle (client-bundle.ts), whose public halves the store
// keeps. Only public members are ever published.
import fs from 'node:fs';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { isKeyManagementAlg } from '@fapi-sandbox/fapi-core/jose/encryption';
import type { JWK } from 'jose';
import type { DirectoryStore } from '../store/index.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

/** RFC 7517 §4.2: an encryption key of one of fapi-core's algorithms, with no private member. */
export function isPublicEncryptionKey(key: JWK): boolean {
  return (
    key.use === 'enc' && isKeyManagementAlg(key.alg) && PRIVATE_MEMBERS.every((member) => !(member in key))
  );
}

function fixtureEncryptionKeys(config: SandboxConfig, softwareId: string): JWK[] {
  const participant = Object.values(config.participants).find((p) => p.softwareId === softwareId);
  const file = participant?.encryptionPublicJwks;
  if (!file || !fs.existsSync(file)) return [];
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { keys: JWK[] }).keys;
}

export async function softwareEncryptionKeys(
  config: SandboxConfig,
  store: Pick<DirectoryStore, 'encryptionKeys'>,
  softwareId: string,
): Promise<JWK[]> {
  return [
    ...fixtureEncryptionKeys(config, softwareId),
    ...(await store.encryptionKeys.listFor(softwareId)),
  ].filter(isPublicEncryptionKey);
}
