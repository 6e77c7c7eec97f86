// The public encryption keys (use enc) of portal-made software: only public JWK members are stored.
import type { JWK } from 'jose';
import type { CurrentDb } from './database.js';

export function encryptionKeysRepository(db: CurrentDb) {
  return {
    /** A bundle's keys, in the order its JWKS lists them. */
    insertAll: async (
      softwareId: string,
      publicJwks: (JWK & { kid: string; alg: string })[],
    ): Promise<void> => {
      const createdAt = new Date().toISOString();
      await db()
        .insertInto('encryption_keys')
        .values(
          publicJwks.map((publicJwk, position) => ({
            kid: publicJwk.kid,
            software_id: softwareId,
            alg: publicJwk.alg,
            public_jwk: JSON.stringify(publicJwk),
            created_at: createdAt,
            position,
          })),
        )
        .execute();
    },
    listFor: async (softwareId: string): Promise<JWK[]> =>
      (
        await db()
          .selectFrom('encryption_keys')
          .select('public_jwk')
          .where('software_id', '=', softwareId)
          .orderBy('created_at')
          .orderBy('position')
          .execute()
      ).map((row) => JSON.parse(row.public_jwk) as JWK),
  };
}
