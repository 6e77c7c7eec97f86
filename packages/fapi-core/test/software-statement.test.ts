// The one software statement verifier (RFC 7591 §2.3, §3.2.2) the bank and the TPP both run: a statement
// passes only when the directory signed it with a FAPI algorithm, typed it as a JWT, it is in date, and
// every claim a party reads is there with its type.
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  type KeyObject,
  SignJWT,
  UnsecuredJWT,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { OAuthError } from '../src/errors.js';
import { verifySoftwareStatement } from '../src/software-statement.js';

const issuer = 'https://directory.example';
let directoryKey: CryptoKey | KeyObject;
let directoryJwk: JWK;

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('PS256');
  directoryKey = privateKey;
  directoryJwk = { ...(await exportJWK(publicKey)), kid: 'directory-1', alg: 'PS256', use: 'sig' };
});

const trust = () => ({ issuer, keys: async () => ({ keys: [directoryJwk] }) });

function claims(overrides: Record<string, unknown> = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: issuer,
    iat: now,
    exp: now + 3600,
    jti: 'ssa-1',
    software_id: 'sw-1',
    software_client_id: 'sw-1',
    software_client_name: 'Moneywise',
    software_client_description: 'demo',
    software_version: '1.0',
    software_redirect_uris: ['https://tpp.example/callback'],
    software_jwks_uri: 'https://directory.example/jwks',
    software_roles: ['AISP'],
    software_status: 'Active',
    org_id: 'org-1',
    org_name: 'Moneywise Ltd',
    org_status: 'Active',
    ...overrides,
  };
}

function sign(payload: JWTPayload, header: Record<string, unknown> = { typ: 'JWT' }, key = directoryKey) {
  return new SignJWT(payload).setProtectedHeader({ alg: 'PS256', kid: 'directory-1', ...header }).sign(key);
}

async function refusal(ssa: unknown): Promise<OAuthError> {
  const error = await verifySoftwareStatement(ssa, trust()).catch((err: unknown) => err);
  expect(error).toBeInstanceOf(OAuthError);
  expect(error).toMatchObject({ status: 400, error: 'invalid_software_statement' });
  return error as OAuthError;
}

describe('verifySoftwareStatement', () => {
  it('answers the claims of a statement the directory signed', async () => {
    const verified = await verifySoftwareStatement(await sign(claims()), trust());
    expect(verified).toMatchObject({ software_id: 'sw-1', org_id: 'org-1', software_roles: ['AISP'] });
  });

  it('refuses what is not a signed JWT, before fetching any key', async () => {
    let fetched = false;
    const error = await verifySoftwareStatement('not-a-jwt', {
      issuer,
      keys: async () => {
        fetched = true;
        return { keys: [directoryJwk] };
      },
    }).catch((err: unknown) => err);
    expect(error).toMatchObject({ error: 'invalid_software_statement', clause: /RFC 7591 §2.3/ });
    expect(fetched).toBe(false);
    await refusal(undefined);
  });

  it("refuses an unsigned statement (alg 'none')", async () => {
    const error = await refusal(new UnsecuredJWT(claims()).setIssuer(issuer).encode());
    expect(error.clause).toMatch(/FAPI 2.0 SP §5.4.1-1/);
  });

  it('refuses a statement MACed with a shared secret (HS256)', async () => {
    const secret = new TextEncoder().encode('a shared secret that is long enough for hs256');
    const hs = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret);
    expect((await refusal(hs)).description).toMatch(/HS256/);
  });

  it("refuses a directory-signed JWT of another type (typ 'at+jwt') or with no typ", async () => {
    const retyped = await refusal(await sign(claims(), { typ: 'at+jwt' }));
    expect(retyped.clause).toMatch(/RFC 8725 §3.11/);
    expect(retyped.description).toMatch(/typ header is "at\+jwt", not JWT/);
    expect((await refusal(await sign(claims(), {}))).description).toMatch(/typ header is missing/);
  });

  it('refuses a statement signed by another key, even under the directory key id', async () => {
    const { privateKey } = await generateKeyPair('PS256');
    const error = await refusal(await sign(claims(), { typ: 'JWT' }, privateKey));
    expect(error.description).toMatch(/not signed by the directory/);
  });

  it('refuses an expired statement, and one from another issuer', async () => {
    const past = Math.floor(Date.now() / 1000) - 7200;
    expect((await refusal(await sign(claims({ iat: past, exp: past + 3600 })))).description).toMatch(
      /expired/,
    );
    expect((await refusal(await sign(claims({ iss: 'https://impostor.example' })))).description).toMatch(
      /iss claim/,
    );
  });

  it.each([
    'jti',
    'software_id',
    'software_client_name',
    'software_jwks_uri',
    'software_status',
    'org_id',
    'org_name',
    'org_status',
  ])('refuses a statement without %s', async (claim) => {
    const error = await refusal(await sign(claims({ [claim]: undefined })));
    expect(error.description).toBe(`The software_statement has no ${claim} claim`);
  });

  it.each(['iat', 'exp'])('refuses a statement without %s', async (claim) => {
    expect((await refusal(await sign(claims({ [claim]: undefined })))).description).toMatch(claim);
  });

  it('refuses claims of the wrong type', async () => {
    expect(
      (await refusal(await sign(claims({ software_redirect_uris: 'https://tpp.example/callback' }))))
        .description,
    ).toMatch(/software_redirect_uris claim is not a list of strings/);
    expect((await refusal(await sign(claims({ software_roles: [1] })))).description).toMatch(
      /software_roles/,
    );
    expect((await refusal(await sign(claims({ software_logo_uri: 7 })))).description).toMatch(
      /software_logo_uri claim is not a string/,
    );
  });
});
