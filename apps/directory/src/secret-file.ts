// A secret the directory creates on its first start and keeps in a file only its owner can read: the admin
// credential and the developer portal's invite code. Both are shown to the learner by `pnpm dev`.
import fs from 'node:fs';
import path from 'node:path';
import { constantTimeEqual } from '@fapi-sandbox/fapi-core/jose/compare';

export interface SecretFile {
  value: string;
  file: string;
  /** True when this start created it. */
  created: boolean;
  /** Constant-time comparison, so response timing says nothing about how close a guess was. */
  matches(candidate: string): boolean;
}

export function loadOrCreateSecretFile(options: {
  file: string;
  /** What the secret is called in the error for a file that does not hold one. */
  what: string;
  create: () => string;
  shape: RegExp;
}): SecretFile {
  const { file } = options;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let created = false;
  if (!fs.existsSync(file)) {
    try {
      // 'wx': never overwrite a secret another process wrote a moment ago.
      fs.writeFileSync(file, `${options.create()}\n`, { mode: 0o600, flag: 'wx' });
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  fs.chmodSync(file, 0o600);
  const value = fs.readFileSync(file, 'utf8').trim();
  if (!options.shape.test(value)) {
    throw new Error(`${file} does not hold ${options.what}; delete it and restart to create a new one`);
  }
  return { value, file, created, matches: (candidate) => constantTimeEqual(candidate, value) };
}
