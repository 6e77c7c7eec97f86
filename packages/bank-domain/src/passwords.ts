// Customer passwords are stored as scrypt hashes (RFC 7914) with a random salt, and compared in
// constant time. Unknown usernames cost the same scrypt work, so timing does not reveal who exists.
// Hashing runs on libuv's thread pool (node:crypto `scrypt`), never on the event loop: a sign-in's
// ~55 ms of scrypt must not stop bank-op answering everyone else meanwhile.
import { randomBytes, type ScryptOptions, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

const KEY_LENGTH = 32;
const PARAMS = { N: 16384, r: 8, p: 1 } as const;

function scryptAsync(password: string, salt: Buffer, length: number, params: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, params, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `scrypt$N$r$p$<salt b64url>$<hash b64url>` */
function encode(salt: Buffer, hash: Buffer): string {
  return [
    'scrypt',
    PARAMS.N,
    PARAMS.r,
    PARAMS.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return encode(salt, await scryptAsync(password, salt, KEY_LENGTH, PARAMS));
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return timingSafeEqual(actual, expected);
}

/**
 * A hash of nothing anyone knows: unknown usernames are checked against it to spend the same time. Started
 * when the module loads, on the thread pool, so that it is ready before the first sign-in.
 */
const DUMMY_PASSWORD_HASH = hashPassword(randomBytes(16).toString('hex'));
export function dummyPasswordHash(): Promise<string> {
  return DUMMY_PASSWORD_HASH;
}

const seedHashes = new Map<string, string>();
/**
 * The stored hash of a seeded (demo) customer's password, computed once per process and reused each time
 * a bank store is seeded again (every test opens fresh stores): same parameters, a random salt per
 * process. Synchronous because seeding runs inside SQLite's transaction, when a store is first created.
 */
export function seedPasswordHash(password: string): string {
  let stored = seedHashes.get(password);
  if (!stored) {
    const salt = randomBytes(16);
    stored = encode(salt, scryptSync(password, salt, KEY_LENGTH, PARAMS));
    seedHashes.set(password, stored);
  }
  return stored;
}
