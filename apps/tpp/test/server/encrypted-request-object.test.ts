// Moneywise with "Encrypt the request object (JWE)" against the real directory, bank-op and bank-api:
// the connection works, the PAR carries a JWE to the bank's key, and the inspector's timeline shows the
// JWE header Moneywise sent beside the request object bank-op decrypted and verified (RFC 9101 §6.1).
import { describe, expect, it } from 'vitest';
import type { ConnectionView, StartConnectionResponse } from '../../src/shared/api.js';
import type { ConnectionTrace } from '../../src/shared/timeline.js';
import { visitBank } from './bank-browser.js';
import { ALICE, onboardedRealBankForThisFile } from './onboarded-real-bank.js';

const sandboxOf = onboardedRealBankForThisFile();

describe.each(['fapi1-advanced', 'fapi2-dpop'])('an encrypted request object (%s)', (profile) => {
  let connection: ConnectionView;

  it('connects, with the request object signed, then encrypted to the bank', async () => {
    const started = await sandboxOf().browser.api('/connections', {
      json: { profile, clientAuth: 'private_key_jwt', encryptRequestObject: true },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const { connection: begun, authorizationUrl } = started.body as StartConnectionResponse;
    expect(begun.requestObjectEncryption).toBe('RSA-OAEP-256');
    await visitBank(sandboxOf().browser, authorizationUrl, ALICE);
    connection = (await sandboxOf().browser.api(`/connections/${begun.id}`)).body as ConnectionView;
    expect(connection.status).toBe('active');
    const accounts = await sandboxOf().browser.api(`/connections/${connection.id}/accounts`);
    expect(accounts.status, JSON.stringify(accounts.body)).toBe(200);
  });

  it('shows the JWE header Moneywise sent and the request object bank-op decrypted', async () => {
    const trace = (await sandboxOf().browser.api(`/connections/${connection.id}/trace`))
      .body as ConnectionTrace;
    const par = trace.entries.find(
      (e) => e.title === 'Push the authorization request (PAR), encrypted (JWE)',
    );
    expect(par, trace.entries.map((e) => e.title).join(' | ')).toBeDefined();
    expect(par!.reportedBy).toEqual(expect.arrayContaining(['tpp', 'bank-op']));
    expect(par!.explanation).toContain('encryption adds confidentiality');
    // Beyond signing: the request stays unreadable to the browser and its extensions.
    expect(par!.explanation).toMatch(
      /Signing gives integrity and origin.*unreadable to the browser, its extensions/,
    );
    const jwe = par!.jwts.find((jwt) => jwt.where === 'request (JWE protected header)');
    expect(jwe?.header).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' });
    const decrypted = par!.jwts.find((jwt) => jwt.where === 'request object (decrypted by bank-op)');
    expect(decrypted?.verified).toBe(true);
    expect(decrypted?.claims).toMatchObject({ iss: connection.clientId, client_id: connection.clientId });
    expect(par!.checks.map((check) => check.name)).toEqual(
      expect.arrayContaining([
        `Request object signed, then encrypted to the bank's key ${String(jwe?.header.kid)}`,
        `Request object decrypted with the bank's key ${String(jwe?.header.kid)}, then its signature verified`,
      ]),
    );
  });
});
