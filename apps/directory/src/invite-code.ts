// The developer portal's invite code: whoever runs the sandbox hands it to the learners who may sign up.
// Created at the directory's first start in config.directory.inviteCodeFile (readable by its owner only),
// printed by `pnpm dev` and `pnpm sandbox:info`; a shared sandbox is gated by not publishing it.
import { randomInt } from 'node:crypto';
import { constantTimeEqual } from '@fapi-sandbox/fapi-core/jose/compare';
import { loadOrCreateSecretFile, type SecretFile } from './secret-file.js';

/** Crockford-like alphabet without 0/O, 1/I/L and U: easy to read aloud and type. */
const ALPHABET = '23456789ABCDEFGHJKMNPQRSTVWXYZ';

function group(): string {
  let out = '';
  for (let i = 0; i < 4; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** e.g. `fapi-7Q2M-K9XD`: two groups of four, about 39 bits, too many to guess over HTTPS. */
export function newInviteCode(): string {
  return `fapi-${group()}-${group()}`;
}

export type InviteCode = SecretFile;

export function loadOrCreateInviteCode(file: string): InviteCode {
  const secret = loadOrCreateSecretFile({
    file,
    what: 'a developer portal invite code',
    create: newInviteCode,
    shape: /^[A-Za-z0-9-]{8,64}$/,
  });
  // Typed by a person: surrounding spaces and letter case do not count (still compared in constant time).
  const normalised = secret.value.toUpperCase();
  return {
    ...secret,
    matches: (candidate) => constantTimeEqual(candidate.trim().toUpperCase(), normalised),
  };
}
