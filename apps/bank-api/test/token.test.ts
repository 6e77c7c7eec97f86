// The access token itself (RFC 9068 §4): signed by bank-op, typ at+jwt, issued by bank-op, for this API,
// in date, naming its client. Every forged or stale variant is refused with 401 invalid_token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './support/sandbox.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

const now = () => Math.floor(Date.now() / 1000);

describe.each(['moneywiseMtls', 'moneywiseDpop'] as const)('for %s, the token', (name) => {
  const refuses = async (token: string, message: RegExp) => {
    const client = sb.clients[name];
    const response = await sb.call(client, 'POST', '/aisp/account-access-consents', {
      token,
      body: { Data: { Permissions: ['ReadBalances'] }, Risk: {} },
    });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_token');
    expect(response.body.error_description).toMatch(message);
    const scheme = client.binding === 'dpop' ? 'DPoP' : 'Bearer';
    expect(response.headers.get('www-authenticate')).toMatch(
      new RegExp(`^${scheme} .*error="invalid_token"`),
    );
    return response;
  };

  it('is accepted when bank-op issued it for this API', async () => {
    const client = sb.clients[name];
    const token = await sb.tokens.clientCredentials(client, 'accounts');
    const response = await sb.call(client, 'POST', '/aisp/account-access-consents', {
      token,
      body: { Data: { Permissions: ['ReadBalances'] }, Risk: {} },
    });
    expect(response.status).toBe(201);
  });

  it('is refused once expired', async () => {
    const token = await sb.tokens.mint(
      sb.clients[name],
      { scope: 'accounts' },
      { iat: now() - 400, exp: now() - 60 },
    );
    await refuses(token, /expired 6\d s ago \(RFC 9068 §4, RFC 7519 §4.1.4\)/);
  });

  it('is refused when issued for another audience', async () => {
    const token = await sb.tokens.mint(
      sb.clients[name],
      { scope: 'accounts' },
      { aud: 'https://other-api.example' },
    );
    await refuses(
      token,
      /audience is "https:\/\/other-api.example", which does not include https:\/\/api.bank.localhost/,
    );
  });

  it('is refused when issued by another server', async () => {
    const token = await sb.tokens.mint(
      sb.clients[name],
      { scope: 'accounts' },
      { iss: 'https://evil.example' },
    );
    await refuses(token, /issued by 'https:\/\/evil.example'/);
  });

  it('is refused when signed by a key bank-op does not publish', async () => {
    const token = await sb.tokens.mintWithForeignKey(sb.clients[name], { scope: 'accounts' });
    await refuses(token, /signature that does not verify/);
  });

  it('is refused when it is not an access token (typ JWT, e.g. an ID token)', async () => {
    const token = await sb.tokens.mint(sb.clients[name], { scope: 'accounts' }, { header: { typ: 'JWT' } });
    await refuses(token, /typ is 'JWT', not 'at\+jwt'/);
  });

  it('is refused before its nbf', async () => {
    const token = await sb.tokens.mint(sb.clients[name], { scope: 'accounts' }, { nbf: now() + 600 });
    await refuses(token, /not valid until/);
  });

  it('is refused without client_id', async () => {
    const token = await sb.tokens.mint(sb.clients[name], { scope: 'accounts' }, { client_id: undefined });
    await refuses(token, /no client_id claim \(RFC 9068 §2.2\)/);
  });

  it('is refused when it is not a JWT at all', async () => {
    await refuses('opaque-token-value-123', /not a JWS in compact serialization/);
  });

  it('is refused when tampered with', async () => {
    const token = await sb.tokens.clientCredentials(sb.clients[name], 'accounts');
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, scope: 'accounts payments' })).toString(
      'base64url',
    );
    await refuses(`${header}.${forged}.${signature}`, /signature that does not verify/);
  });
});

describe('requests without a usable Authorization header', () => {
  it('get both challenges and no error code (RFC 6750 §3.1)', async () => {
    const response = await sb.call(sb.clients.moneywiseMtls, 'GET', '/aisp/accounts');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer realm="Sandbox Bank API", DPoP algs="PS256 ES256 EdDSA"',
    );
    expect(response.body.Errors[0].Message).toMatch(/no Authorization header/);
  });

  it('refuse an unknown scheme', async () => {
    const token = await sb.tokens.clientCredentials(sb.clients.moneywiseMtls, 'accounts');
    const response = await sb.call(sb.clients.moneywiseMtls, 'GET', '/aisp/accounts', {
      token,
      scheme: 'Basic',
    });
    expect(response.status).toBe(401);
    expect(response.body.Errors[0].Message).toMatch(/scheme Bearer or DPoP/);
  });
});
