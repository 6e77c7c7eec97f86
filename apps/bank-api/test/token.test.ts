// The access token itself (RFC 9068 §4): signed by bank-op, typ at+jwt, issued by bank-op, for this API,
// in date, naming its client. Real bank-op tokens are refused once expired or at another API; tokens
// bank-op would never issue are a real one with one thing changed (see token-source.ts).
import { randomUUID } from 'node:crypto';
import { environmentFor, loadConfig, type SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { workerPort } from '@fapi-sandbox/fapi-core/testing';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBankApi, startBankApi } from '../src/index.js';
import { type Caller, createCaller } from './support/clients.js';
import { openApiValidator } from './support/openapi.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

const CONSENT = { Data: { Permissions: ['ReadBalances'] }, Risk: {} };

/** The same sandbox with bank-api on another port: another resource server, another audience. */
async function otherApiConfig(config: SandboxConfig): Promise<SandboxConfig> {
  const port = await workerPort();
  return loadConfig({ ...process.env, ...environmentFor(config), FAPI_BANK_API_PORT: String(port) });
}

describe.each(['moneywiseMtls', 'moneywiseDpop'] as const)('for %s, the token', (name) => {
  const refuses = async (token: string, message: RegExp, call: Caller = sb.call) => {
    const client = sb.clients[name];
    const response = await call(client, 'POST', '/aisp/account-access-consents', { token, body: CONSENT });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_token');
    expect(response.body.error_description).toMatch(message);
    const scheme = client.binding === 'dpop' ? 'DPoP' : 'Bearer';
    expect(response.headers.get('www-authenticate')).toMatch(
      new RegExp(`^${scheme} .*error="invalid_token"`),
    );
    return response;
  };
  const realToken = () => sb.tokens.clientCredentials(sb.clients[name], 'accounts');

  it('is accepted when bank-op issued it for this API, bound to this client', async () => {
    const client = sb.clients[name];
    const token = await realToken();
    expect(decodeProtectedHeader(token)).toMatchObject({ typ: 'at+jwt', alg: 'PS256' });
    expect(decodeJwt(token)).toMatchObject({
      iss: sb.config.bankOp.issuer,
      aud: sb.config.bankApi.web.origin,
      client_id: client.clientId,
      scope: 'accounts',
      cnf:
        client.binding === 'dpop'
          ? { jkt: client.dpopKey!.jkt }
          : { 'x5t#S256': client.certificateThumbprint },
    });
    const response = await sb.call(client, 'POST', '/aisp/account-access-consents', { token, body: CONSENT });
    expect(response.status).toBe(201);
  });

  it('is refused once expired', async () => {
    const token = await realToken();
    const ttl = (decodeJwt(token).exp! - decodeJwt(token).iat!) * 1000;
    // bank-api's clock moves past the token's exp (bank-op's real token, really expired there).
    sb.clock.offsetMs = ttl + 30_000;
    try {
      const client = sb.clients[name];
      const response = await sb.call(client, 'POST', '/aisp/account-access-consents', {
        token,
        body: CONSENT,
        proofClock: sb.clock.now,
      });
      expect(response.status).toBe(401);
      expect(response.body.error).toBe('invalid_token');
      expect(response.body.error_description).toMatch(
        /expired \d+ s ago \(RFC 9068 section 4, RFC 7519 section 4.1.4\)/,
      );
    } finally {
      sb.clock.offsetMs = 0;
    }
  });

  it('is refused at another API (audience)', async () => {
    const config = await otherApiConfig(sb.config);
    let other: RunningBankApi | undefined;
    try {
      other = await startBankApi({ config });
      const call = createCaller(config, openApiValidator(sb.openapi));
      await refuses(
        await realToken(),
        /audience is 'https:\/\/api.bank.localhost:\d+', which does not include https:\/\/api.bank.localhost/,
        call,
      );
    } finally {
      await other?.stop();
    }
  });

  it('is refused when issued by another server', async () => {
    const token = await sb.forger.alter(await realToken(), { iss: 'https://evil.example' });
    await refuses(token, /issued by 'https:\/\/evil.example'/);
  });

  it('is refused when signed by a key bank-op does not publish', async () => {
    await refuses(await sb.forger.signWithForeignKey(await realToken()), /signature that does not verify/);
  });

  it('is refused when it is not an access token (typ JWT, e.g. an ID token)', async () => {
    const token = await sb.forger.alter(await realToken(), {}, { typ: 'JWT' });
    await refuses(token, /typ is 'JWT', not 'at\+jwt'/);
  });

  it('is refused before its nbf', async () => {
    const token = await sb.forger.alter(await realToken(), { nbf: Math.floor(Date.now() / 1000) + 600 });
    await refuses(token, /not valid until/);
  });

  it('is refused without client_id', async () => {
    const token = await sb.forger.alter(await realToken(), { client_id: undefined });
    await refuses(token, /no client_id claim \(RFC 9068 section 2.2\)/);
  });

  it('is refused when it is not a JWT and bank-op never issued it (introspected: not active)', async () => {
    await refuses(`opaque-${randomUUID()}`, /bank-op says the token is not active .*RFC 7662 section 2\.2/);
  });

  it('is refused when tampered with', async () => {
    const token = await realToken();
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
      'Bearer realm="Sandbox Bank API", DPoP algs="PS256 ES256 EdDSA Ed25519"',
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
