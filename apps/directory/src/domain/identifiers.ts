// Identifiers the directory mints when an admin does not choose one: random base62 strings shaped like the
// UK Open Banking directory's (18-character organisation ids, 22-character software ids).
import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function randomBase62(length: number): string {
  let id = '';
  for (let i = 0; i < length; i++) id += ALPHABET[randomInt(ALPHABET.length)];
  return id;
}

export const newOrganisationId = () => randomBase62(18);
export const newSoftwareId = () => randomBase62(22);

/** Organisation and software ids travel in URLs, certificate subjects and SSAs: a safe, bounded alphabet. */
export const IDENTIFIER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/;
