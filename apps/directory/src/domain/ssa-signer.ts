// The directory's SSA signing keys (config.directory.ssaSigningJwks, a private JWKS from the generated PKI):
// signs software statement assertions and publishes the public half so banks can verify them.
import fs from 'node:fs';
import { isEveryProfileSigningAlg } from '@fapi-sandbox/fapi-core/jose/algorithms';
import { importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { z } from 'zod';

/** The JWS algorithm SSAs are signed with (FAPI 2.0 SP §5.4.1-1 allows PS256, ES256, EdDSA). */
export const SSA_ALG = 'PS256';

const privateJwks = z.object({
  keys: z
    .array(
      z
        .object({
          kty: z.enum(['RSA', 'EC']),
          kid: z.string().min(1),
          alg: z.string().refine(isEveryProfileSigningAlg),
        })
        .loose(),
    )
    .min(1),
});

/** Members of a public key, per key type (RFC 7518 §6.2.1, §6.3.1), plus the metadata a verifier uses. */
const PUBLIC_MEMBERS = ['kty', 'kid', 'alg', 'use', 'crv', 'x', 'y', 'n', 'e', 'x5c', 'x5t#S256'] as const;

export interface SsaSigner {
  kid: string;
  alg: typeof SSA_ALG;
  /** The directory JWKS: public keys only. */
  publicJwks(): { keys: JWK[] };
  sign(claims: JWTPayload): Promise<string>;
}

export async function loadSsaSigner(file: string): Promise<SsaSigner> {
  if (!fs.existsSync(file)) {
    throw new Error(`${file} does not exist. Generate the sandbox PKI first: pnpm pki`);
  }
  const parsed = privateJwks.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a private JWKS with kid and alg on every key`);
  const keys = parsed.data.keys as JWK[];
  const signingJwk = keys.find((key) => key.alg === SSA_ALG && typeof key.d === 'string');
  if (!signingJwk?.kid) throw new Error(`${file} holds no private ${SSA_ALG} key to sign SSAs with`);
  const signingKey = await importJWK(signingJwk, SSA_ALG);
  const kid = signingJwk.kid;

  const publicKeys = keys.map((key) => {
    const publicKey: Record<string, unknown> = {};
    for (const member of PUBLIC_MEMBERS) if (key[member] !== undefined) publicKey[member] = key[member];
    publicKey.use ??= 'sig';
    return publicKey as JWK;
  });

  return {
    kid,
    alg: SSA_ALG,
    publicJwks: () => ({ keys: publicKeys.map((key) => ({ ...key })) }),
    sign: (claims) =>
      new SignJWT(claims).setProtectedHeader({ alg: SSA_ALG, kid, typ: 'JWT' }).sign(signingKey),
  };
}
