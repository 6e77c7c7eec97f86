// The public encryption keys (use enc) of portal-made software: only public JWK members are stored.
import type { JWK } from 'jose';
import type { Db } from './database.js';

export function encryptionKeysRepository(db: Db) {
  const insert = db.prepare(
    'INSERT INTO encryption_keys (kid, software_id, alg, public_jwk, created_at) VALUES (@kid, @softwareId, @alg, @publicJwk, @createdAt)',
  );
  const listFor = db.prepare<[string], { public_jwk: string }>(
    'SELECT public_jwk FROM encryption_keys WHERE software_id = ? ORDER BY rowid',
  );
  return {
    insert: (row: { softwareId: string; publicJwk: JWK & { kid: string; alg: string } }): void => {
      insert.run({
        kid: row.publicJwk.kid,
        softwareId: row.softwareId,
        alg: row.publicJwk.alg,
        publicJwk: JSON.stringify(row.publicJwk),
        createdAt: new Date().toISOString(),
      });
    },
    listFor: (softwareId: string): JWK[] =>
      listFor.all(softwareId).map((row) => JSON.parse(row.public_jwk) as JWK),
  };
}
