// The directory's admin credential: a random 256-bit bearer token created on first start, kept in
// config.directory.adminCredentialFile (readable by its owner only) and shown in the `pnpm dev` output.
import { randomBytes } from 'node:crypto';
import { loadOrCreateSecretFile } from './secret-file.js';

export interface AdminCredential {
  token: string;
  file: string;
  /** True when this start created it. */
  created: boolean;
  /** Constant-time comparison, so response timing says nothing about how close a guess was. */
  matches(candidate: string): boolean;
}

export function loadOrCreateAdminCredential(file: string): AdminCredential {
  const secret = loadOrCreateSecretFile({
    file,
    what: 'a directory admin credential',
    create: () => randomBytes(32).toString('base64url'),
    shape: /^[A-Za-z0-9_-]{43,}$/,
  });
  return { token: secret.value, file, created: secret.created, matches: secret.matches };
}
