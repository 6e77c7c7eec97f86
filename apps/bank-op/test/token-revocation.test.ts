// Revocation that reaches bank-api: whatever bank-op revokes — a grant whose code was redeemed twice, a
// grant whose refresh token was revoked, one JWT access token — lands in the bank's shared revocation
// record that bank-api reads at every call. The revocation endpoint takes bank-op's own JWT access
// tokens (RFC 7009 §2) instead of answering unsupported_token_type.
import { decodeJwt, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError } from './support/expect-error.js';
import { authorizeFapi2 } from './support/flows.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { type RegisteredClient, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;
let client: RegisteredClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
  client = await tpp.register();
});
afterAll(async () => {
  await sandbox?.close();
});

async function issued(forClient = client) {
  const authorized = await authorizeFapi2(tpp, forClient);
  const tokens = await tpp.redeem(forClient, authorized.code, authorized.pkce);
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  const accessToken = String(tokens.body.access_token);
  const claims = decodeJwt(accessToken);
  return { authorized, accessToken, refreshToken: String(tokens.body.refresh_token), claims };
}

function revoke(token: string, by = client) {
  return tpp.post(by, tpp.endpoint(by, '/token/revoke'), async () => ({
    token,
    ...(await tpp.clientAuth(by)),
  }));
}

describe('the revocation record bank-api reads', () => {
  it("names each customer access token's grant, so bank-api can look it up", async () => {
    const { claims } = await issued();
    expect(claims.grant_id).toEqual(expect.any(String));
    expect(
      await sandbox.bank.revocations.find({ grantId: String(claims.grant_id), jti: String(claims.jti) }),
    ).toBe(undefined);
  });

  it('records the grant when its authorization code is redeemed twice (RFC 6749 §4.1.2)', async () => {
    const { authorized, claims } = await issued();
    const again = await tpp.redeem(client, authorized.code, authorized.pkce);
    expectOAuthError(again, { status: 400, error: 'invalid_grant' });
    expect(await sandbox.bank.revocations.find({ grantId: String(claims.grant_id), jti: 'x' })).toMatchObject(
      {
        kind: 'grant',
        reason: 'authorization code redeemed twice',
      },
    );
  });

  it('records the grant when its refresh token is revoked (RFC 7009 §2.1)', async () => {
    const { refreshToken, claims } = await issued();
    expect((await revoke(refreshToken)).status).toBe(200);
    expect(await sandbox.bank.revocations.find({ grantId: String(claims.grant_id), jti: 'x' })).toMatchObject(
      {
        kind: 'grant',
        reason: 'refresh token revoked',
      },
    );
  });
});

describe('revoking a JWT access token (RFC 7009 §2)', () => {
  it("revokes the client's own access token, and only that token", async () => {
    const { accessToken, refreshToken, claims } = await issued();
    const res = await revoke(accessToken);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(await sandbox.bank.revocations.find({ jti: String(claims.jti) })).toMatchObject({
      kind: 'access-token',
      reason: 'access token revoked',
    });
    expect(
      await sandbox.bank.revocations.find({ grantId: String(claims.grant_id), jti: 'other' }),
    ).toBeUndefined();
    // RFC 7009 §2.1 leaves the grant to the server: the connection goes on with a new access token.
    const refreshed = await tpp.token(client, { grant_type: 'refresh_token', refresh_token: refreshToken });
    expect(refreshed.status).toBe(200);
  });

  it("refuses to revoke another client's access token, and says why", async () => {
    const other = await tpp.register();
    const { accessToken, claims } = await issued(other);
    expectOAuthError(await revoke(accessToken, client), {
      status: 400,
      error: 'invalid_request',
      clause: /RFC 7009 section 2\.1/,
    });
    expect(await sandbox.bank.revocations.find({ jti: String(claims.jti) })).toBeUndefined();
  });

  it('answers 200 and records nothing for a JWT this bank did not sign (RFC 7009 §2.2)', async () => {
    const { claims } = await issued();
    const { privateKey } = await generateKeyPair('PS256');
    const forged = await new SignJWT({ ...claims, jti: 'forged-jti' })
      .setProtectedHeader({ alg: 'PS256', typ: 'at+jwt' })
      .sign(privateKey);
    expect((await revoke(forged)).status).toBe(200);
    expect(await sandbox.bank.revocations.find({ jti: 'forged-jti' })).toBeUndefined();
  });
});
