// Moneywise with "Encrypt the JARM response (JWE)" (FAPI 1.0 Advanced) against the real directory, bank-op
// and bank-api: the option is a registration of its own (authorization_encrypted_response_alg is client
// metadata, JARM §3), the bank signs its JARM response, then encrypts it to Moneywise's published key, and
// the inspector shows the JWE header, what encryption adds (JARM §2.2) and the claims Moneywise decrypted.
// The refusals: the bank's own signed response sent in clear, encrypted with another alg than registered,
// encrypted but unsigned inside, and encrypted to a key Moneywise does not hold.
import { participantDecryptionKeys } from '@fapi-sandbox/fapi-client';
import { decryptNestedJwt, encryptNestedJwt } from '@fapi-sandbox/fapi-core/jose/encryption';
import { decodeJwt, exportJWK, generateKeyPair, type JWK, UnsecuredJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionView, StartConnectionResponse } from '../../src/shared/api.js';
import type { ConnectionTrace } from '../../src/shared/timeline.js';
import { visitBank } from './bank-browser.js';
import { ALICE, onboardedRealBankForThisFile } from './onboarded-real-bank.js';

const sandboxOf = onboardedRealBankForThisFile();
let moneywiseKeys: { keys: JWK[] };

beforeAll(() => {
  moneywiseKeys = participantDecryptionKeys(sandboxOf().browser.config.participants.demo);
});

/** Moneywise's public encryption key for `alg`, as the directory publishes it. */
function moneywisePublicKey(alg: string): JWK {
  const {
    d: _d,
    p: _p,
    q: _q,
    dp: _dp,
    dq: _dq,
    qi: _qi,
    ...publicHalf
  } = moneywiseKeys.keys.find((key) => key.alg === alg)!;
  return publicHalf;
}

async function start(options: Record<string, boolean>) {
  const started = await sandboxOf().browser.api('/connections', {
    json: { profile: 'fapi1-advanced', clientAuth: 'private_key_jwt', ...options },
  });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  return started.body as StartConnectionResponse;
}

const connectionOf = async (id: string) =>
  (await sandboxOf().browser.api(`/connections/${id}`)).body as ConnectionView;

/**
 * The customer approves at the bank, but the bank's redirect is held back: Moneywise's callback gets a
 * response for no request of its own (which it discards), so the real one can be tampered with and sent.
 */
async function heldBackCallback(): Promise<{ connectionId: string; callback: URL }> {
  const { connection, authorizationUrl } = await start({ encryptJarm: true });
  let real: URL | undefined;
  await visitBank(sandboxOf().browser, authorizationUrl, {
    ...ALICE,
    tamperCallback: (callback) => {
      real = callback;
      return new URL('/callback?state=not-ours', callback);
    },
  });
  return { connectionId: connection.id, callback: real! };
}

/** Sends `response` to Moneywise's callback, in the browser that started the connection. */
async function sendResponse(callback: URL, response: string) {
  const tampered = new URL(callback);
  tampered.search = new URLSearchParams({ response }).toString();
  const landed = await sandboxOf().browser.request(tampered.toString());
  expect(landed.status).toBe(303);
  return new URL(landed.headers.get('location')!, callback);
}

describe('an encrypted JARM response (fapi1-advanced)', () => {
  let plain: ConnectionView;
  let encrypted: ConnectionView;

  it('connects with a client registered for it, the JARM response a JWE to Moneywise’s key', async () => {
    const plainStart = await start({});
    await visitBank(sandboxOf().browser, plainStart.authorizationUrl, ALICE);
    plain = await connectionOf(plainStart.connection.id);
    const { connection, authorizationUrl } = await start({ encryptJarm: true });
    const { callback } = await visitBank(sandboxOf().browser, authorizationUrl, ALICE);
    encrypted = await connectionOf(connection.id);
    expect(plain.status).toBe('active');
    expect(encrypted.status, JSON.stringify(encrypted.error)).toBe('active');
    expect(encrypted.jarmEncryption).toBe('RSA-OAEP-256');
    expect(plain.jarmEncryption).toBeUndefined();
    // Client metadata is fixed per registration: the option gets a client of its own.
    expect(encrypted.clientId).not.toBe(plain.clientId);
    // What the browser carried: five parts, no readable code or state.
    const response = callback.searchParams.get('response')!;
    expect(response.split('.')).toHaveLength(5);
    expect(callback.searchParams.has('code')).toBe(false);
    const accounts = await sandboxOf().browser.api(`/connections/${encrypted.id}/accounts`);
    expect(accounts.status, JSON.stringify(accounts.body)).toBe(200);
  });

  it('shows the JWE header, what encryption adds and the claims Moneywise decrypted (code shortened)', async () => {
    const trace = (await sandboxOf().browser.api(`/connections/${encrypted.id}/trace`))
      .body as ConnectionTrace;
    const step = trace.entries.find(
      (e) => e.title === 'Decrypt, then check the authorization response (JWE)',
    );
    expect(step, trace.entries.map((e) => e.title).join(' | ')).toBeDefined();
    expect(step!.explanation).toContain('the browser, its history and extensions');
    expect(step!.clause).toContain('JARM §2.2');
    const jwe = step!.jwts.find((jwt) => jwt.where === 'response (JWE protected header)');
    expect(jwe?.header).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' });
    const decrypted = step!.jwts.find((jwt) => jwt.where === 'response (decrypted by Moneywise)');
    expect(decrypted?.verified).toBe(true);
    expect(decrypted?.claims).toMatchObject({ aud: encrypted.clientId, iss: expect.any(String) });
    expect(String(decrypted?.claims.code)).toMatch(/^.{8}…$/);
    expect(step!.checks.map((check) => check.name)).toEqual(
      expect.arrayContaining([
        "JARM response encrypted to Moneywise's key, then decrypted",
        'JARM response signed by the bank, for Moneywise, not expired',
        'JARM state matches the request',
      ]),
    );
    // bank-op's own trace of the redirect: the JWE header only, for it cannot decrypt.
    const redirect = trace.entries.find(
      (e) =>
        e.reportedBy.includes('bank-op') && e.title === 'Authorization response (redirect to the client)',
    );
    expect(redirect?.jwts.map((jwt) => jwt.where)).toEqual([
      'redirect query.response (JWE protected header; only the client can decrypt it)',
    ]);
  });

  it('keeps the plain connection’s response step as it was', async () => {
    const trace = (await sandboxOf().browser.api(`/connections/${plain.id}/trace`)).body as ConnectionTrace;
    const titles = trace.entries.map((e) => e.title);
    expect(titles).toContain('Check the authorization response');
    expect(titles).not.toContain('Decrypt, then check the authorization response (JWE)');
  });

  it('refuses encryptJarm for a profile without JARM (FAPI 2.0 answers in the query)', async () => {
    const refused = await sandboxOf().browser.api('/connections', {
      json: { profile: 'fapi2-dpop', clientAuth: 'private_key_jwt', encryptJarm: true },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'invalid_request' });
    expect(String((refused.body as { error_description: string }).error_description)).toContain(
      'JARM section 2.2',
    );
  });
});

describe('refusals of an encrypted JARM response', () => {
  /** The bank's real signed JARM response inside the JWE the callback carried. */
  const innerJws = async (callback: URL) =>
    (await decryptNestedJwt(callback.searchParams.get('response')!, moneywiseKeys)).jws;

  async function expectFailed(connectionId: string, clause: RegExp, message: string) {
    const connection = await connectionOf(connectionId);
    expect(connection.status).toBe('failed');
    expect(connection.error?.error).toBe('invalid_request');
    expect(connection.error?.error_description).toMatch(clause);
    expect(connection.error?.error_description).toContain(message);
  }

  it('refuses the bank’s signed response sent in clear (a JWS) though encryption was registered', async () => {
    const { connectionId, callback } = await heldBackCallback();
    await sendResponse(callback, await innerJws(callback));
    await expectFailed(connectionId, /JARM section 2\.2, JARM section 3/, 'arrived in clear');
  });

  it('refuses a JWE with another alg than registered (ECDH-ES to Moneywise’s other key)', async () => {
    const { connectionId, callback } = await heldBackCallback();
    await sendResponse(
      callback,
      await encryptNestedJwt(await innerJws(callback), moneywisePublicKey('ECDH-ES')),
    );
    await expectFailed(
      connectionId,
      /JARM section 3, OIDC Registration section 2/,
      "encrypted with alg 'ECDH-ES' and enc 'A256GCM'; this client registered RSA-OAEP-256 and A256GCM",
    );
  });

  it('refuses a JWE that holds no signed JWT (encrypted but unsigned)', async () => {
    const { connectionId, callback } = await heldBackCallback();
    const unsigned = new UnsecuredJWT(decodeJwt(await innerJws(callback))).encode();
    await sendResponse(callback, await encryptNestedJwt(unsigned, moneywisePublicKey('RSA-OAEP-256')));
    await expectFailed(connectionId, /JARM section 2\.2/, 'encrypted but holds no signed JWT');
  });

  it('discards a JWE to a key Moneywise does not hold (wrong key), leaving the connection pending', async () => {
    const { connectionId, callback } = await heldBackCallback();
    const { publicKey } = await generateKeyPair('RSA-OAEP-256');
    const attacker = {
      ...(await exportJWK(publicKey)),
      alg: 'RSA-OAEP-256',
      kid: moneywisePublicKey('RSA-OAEP-256').kid,
    };
    const landing = await sendResponse(callback, await encryptNestedJwt(await innerJws(callback), attacker));
    expect(landing.searchParams.get('error')).toBe('invalid_state');
    expect(landing.searchParams.get('error_description')).toContain(
      'encrypted (JWE) to a key Moneywise does not hold',
    );
    expect((await connectionOf(connectionId)).status).toBe('authorising');
  });
});
