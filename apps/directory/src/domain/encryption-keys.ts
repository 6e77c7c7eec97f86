// The software's encryption keys (use enc), published in its JWKS beside the signing keys so a bank can
// encrypt ID tokens to the TPP (OIDC Core §10.2, RFC 7517 §4.2). The sandbox's fixture participants
// keep them in certs/participants/<slug>/encryption.public.jwks.json (`pnpm pki`); only public members
// are ever published. Software made in the developer portal has none.
import fs from 'node:fs';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { isKeyManagementAlg } from '@fapi-sandbox/fapi-core/jose/encryption';
import type { JWK } from 'jose';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

export function softwareEncryptionKeys(config: SandboxConfig, softwareId: string): JWK[] {
  const participant = Object.values(config.participants).find((p) => p.softwareId === softwareId);
  const file = participant?.encryptionPublicJwks;
  if (!file || !fs.existsSync(file)) return [];
  const { keys } = JSON.parse(fs.readFileSync(file, 'utf8')) as { keys: JWK[] };
  return keys.filter(
    (key) =>
      key.use === 'enc' && isKeyManagementAlg(key.alg) && PRIVATE_MEMBERS.every((member) => !(member in key)),
  );
}
