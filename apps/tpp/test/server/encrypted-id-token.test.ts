// Moneywise with "Encrypt the ID token (JWE)" against the real directory, bank-op and bank-api: the option
// is a registration of its own (id_token_encrypted_response_alg is client metadata, OIDC Registration §2),
// the bank encrypts the ID token to Moneywise's published key, and the inspector shows the JWE header,
// what encryption adds (OIDC Core §10.2) and the claims Moneywise decrypted and verified.
import { describe, expect, it } from 'vitest';
import type { ConnectionView, StartConnectionResponse } from '../../src/shared/api.js';
import type { ConnectionTrace } from '../../src/shared/timeline.js';
import { visitBank } from './bank-browser.js';
import { ALICE, onboardedRealBankForThisFile } from './onboarded-real-bank.js';

const sandboxOf = onboardedRealBankForThisFile();

async function connect(options: Record<string, boolean>): Promise<ConnectionView> {
  const started = await sandboxOf().browser.api('/connections', {
    json: { profile: 'fapi2-dpop', clientAuth: 'private_key_jwt', ...options },
  });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  const { connection: begun, authorizationUrl } = started.body as StartConnectionResponse;
  await visitBank(sandboxOf().browser, authorizationUrl, ALICE);
  return (await sandboxOf().browser.api(`/connections/${begun.id}`)).body as ConnectionView;
}

describe('an encrypted ID token (fapi2-dpop)', () => {
  let plain: ConnectionView;
  let encrypted: ConnectionView;

  it('connects with a client registered for it, not the one the plain connection uses', async () => {
    plain = await connect({});
    encrypted = await connect({ encryptIdToken: true, encryptRequestObject: true });
    expect(plain.status).toBe('active');
    expect(encrypted.status, JSON.stringify(encrypted.error)).toBe('active');
    expect(encrypted.idTokenEncryption).toBe('RSA-OAEP-256');
    expect(plain.idTokenEncryption).toBeUndefined();
    // Client metadata is fixed per registration: the option gets a client of its own.
    expect(encrypted.clientId).not.toBe(plain.clientId);
    const again = await connect({ encryptIdToken: true });
    expect(again.clientId).toBe(encrypted.clientId);
    const accounts = await sandboxOf().browser.api(`/connections/${encrypted.id}/accounts`);
    expect(accounts.status, JSON.stringify(accounts.body)).toBe(200);
  });

  it('shows the ID token’s JWE header, what encryption adds and the claims Moneywise decrypted', async () => {
    const trace = (await sandboxOf().browser.api(`/connections/${encrypted.id}/trace`))
      .body as ConnectionTrace;
    const step = trace.entries.find((e) => e.title === 'Decrypt, then verify the ID token (JWE)');
    expect(step, trace.entries.map((e) => e.title).join(' | ')).toBeDefined();
    expect(step!.explanation).toContain('even where the response passes through the browser');
    expect(step!.clause).toContain('OIDC Core §10.2');
    const jwe = step!.jwts.find((jwt) => jwt.where === 'id_token (JWE protected header)');
    expect(jwe?.header).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256GCM' });
    const decrypted = step!.jwts.find((jwt) => jwt.where === 'id_token (decrypted by Moneywise)');
    expect(decrypted?.verified).toBe(true);
    expect(decrypted?.claims).toMatchObject({
      aud: encrypted.clientId,
      openbanking_intent_id: encrypted.consentId,
    });
    expect(step!.checks.map((check) => check.name)).toContain(
      "ID token encrypted to Moneywise's key, then decrypted",
    );
    // The request object's JWE is shown too, on the PAR.
    expect(trace.entries.map((e) => e.title)).toContain(
      'Push the authorization request (PAR), encrypted (JWE)',
    );
  });

  it('keeps the plain connection’s ID token step as it was', async () => {
    const trace = (await sandboxOf().browser.api(`/connections/${plain.id}/trace`)).body as ConnectionTrace;
    const titles = trace.entries.map((e) => e.title);
    expect(titles).toContain('Verify the ID token');
    expect(titles).not.toContain('Decrypt, then verify the ID token (JWE)');
  });
});
