// The directory's admin credential: a random 256-bit bearer token created on first start, kept in
// config.directory.adminCredentialFile (readable by its owner only) and shown in the `pnpm dev` output.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { constantTimeEqual } from '@fapi-sandbox/fapi-core/jose/compare';

const TOKEN = /^[A-Za-z0-9_-]{43,}$/;

export interface AdminCredential {
  token: string;
  file: string;
  /** True when this start created it. */
  created: boolean;
  /** Constant-time comparison, so response timing says nothing about how close a guess was. */
  matches(candidate: string): boolean;
}

export function loadOrCreateAdminCredential(file: string): AdminCredential {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let created = false;
  if (!fs.existsSync(file)) {
    try {
      // 'wx': never overwrite a credential another process wrote a moment ago.
      fs.writeFileSync(file, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  fs.chmodSync(file, 0o600);
  const token = fs.readFileSync(file, 'utf8').trim();
  if (!TOKEN.test(token)) {
    throw new Error(
      `${file} does not hold a directory admin credential; delete it and restart to create a new one`,
    );
  }
  return { token, file, created, matches: (candidate) => constantTimeEqual(candidate, token) };
}
