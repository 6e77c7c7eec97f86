import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  hashRequest,
  IDEMPOTENCY_WINDOW_MS,
  IdempotencyConflict,
  InvalidIdempotencyKey,
} from '../src/index.js';
import { ALICE, BUDGETLY, initiation, MONEYWISE, openTestBank, RISK, type TestBank } from './helpers.js';

let bank: TestBank;
beforeEach(() => {
  bank = openTestBank();
});
afterEach(() => bank.cleanup());

const READ = ['ReadBalances'];
const createConsent = (key: string, body: { permissions: string[] }, clientId = MONEYWISE) =>
  bank.store.idempotency.run(
    { clientId, operation: 'POST /account-access-consents', key, requestHash: hashRequest(body) },
    () => ({ status: 201, body: bank.store.consents.createAccountAccess({ clientId, ...body }) }),
  );

const consentCount = () => {
  const db = new Database(bank.file, { readonly: true });
  const n = db.prepare('SELECT COUNT(*) FROM consents').pluck().get() as number;
  db.close();
  return n;
};

describe('idempotency records', () => {
  it('return the original resource for the same key and body', () => {
    const first = createConsent('key-1', { permissions: READ });
    expect(first.replayed).toBe(false);
    expect(first.status).toBe(201);
    const again = createConsent('key-1', { permissions: READ });
    expect(again).toEqual({ ...first, replayed: true });
    expect(consentCount()).toBe(1);
  });

  it('treat bodies with reordered keys as the same body', () => {
    const body = { consentId: 'x', initiation: initiation(), risk: RISK };
    const reordered = { risk: RISK, initiation: { ...initiation() }, consentId: 'x' };
    expect(hashRequest(reordered)).toBe(hashRequest(body));
    expect(hashRequest({ ...body, consentId: 'y' })).not.toBe(hashRequest(body));
  });

  it('refuse the same key with a different body, creating nothing', () => {
    createConsent('key-1', { permissions: READ });
    expect(() => createConsent('key-1', { permissions: ['ReadAccountsBasic'] })).toThrow(IdempotencyConflict);
    expect(consentCount()).toBe(1);
  });

  it('are scoped per client and per operation', () => {
    const mine = createConsent('shared-key', { permissions: READ });
    const theirs = createConsent('shared-key', { permissions: READ }, BUDGETLY);
    expect(theirs.replayed).toBe(false);
    expect(theirs.body.consentId).not.toBe(mine.body.consentId);
    const other = bank.store.idempotency.run(
      {
        clientId: MONEYWISE,
        operation: 'POST /domestic-payment-consents',
        key: 'shared-key',
        requestHash: 'h',
      },
      () => ({ status: 201, body: { ok: true } }),
    );
    expect(other.replayed).toBe(false);
  });

  it('store nothing when the operation fails, so a corrected retry can succeed', () => {
    expect(() => createConsent('key-2', { permissions: ['ReadTransactionsBasic'] })).toThrow();
    expect(consentCount()).toBe(0);
    expect(createConsent('key-2', { permissions: READ }).replayed).toBe(false);
  });

  it('roll back the resource when the record cannot be written', () => {
    expect(() =>
      bank.store.idempotency.run(
        { clientId: MONEYWISE, operation: 'POST /account-access-consents', key: 'key-3', requestHash: 'h' },
        () => {
          bank.store.consents.createAccountAccess({ clientId: MONEYWISE, permissions: READ });
          throw new Error('response could not be built');
        },
      ),
    ).toThrow('response could not be built');
    expect(consentCount()).toBe(0);
  });

  it('expire after 24 hours', () => {
    const first = createConsent('key-4', { permissions: READ });
    bank.clock.advance(IDEMPOTENCY_WINDOW_MS - 1);
    expect(createConsent('key-4', { permissions: READ }).replayed).toBe(true);
    bank.clock.advance(1);
    const fresh = createConsent('key-4', { permissions: ['ReadAccountsBasic'] });
    expect(fresh.replayed).toBe(false);
    expect(fresh.body.consentId).not.toBe(first.body.consentId);
  });

  it.each(['', ' ', 'has space', 'x'.repeat(41), 'tab\tkey', 'émoji'])('refuse the key %j', (key) => {
    expect(() => createConsent(key, { permissions: READ })).toThrow(InvalidIdempotencyKey);
    expect(consentCount()).toBe(0);
  });
});

// Each race starts several tsx processes; on a busy machine that alone can take longer than the default 5 s.
describe('concurrent payment retries across processes', { timeout: 30_000 }, () => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
  const run = promisify(execFile);

  async function race(consentId: string, keys: string[]) {
    const startAt = String(Date.now() + 2_500);
    const outputs = await Promise.all(
      keys.map((key) =>
        run(process.execPath, [
          tsxCli,
          path.join(here, 'fixtures/pay-worker.ts'),
          bank.file,
          consentId,
          key,
          startAt,
        ]),
      ),
    );
    return outputs.map(
      (o) => JSON.parse(o.stdout) as { replayed?: boolean; paymentId?: string; error?: string },
    );
  }

  function paymentsFor(consentId: string) {
    const db = new Database(bank.file, { readonly: true });
    const n = db
      .prepare('SELECT COUNT(*) FROM domestic_payments WHERE consent_id = ?')
      .pluck()
      .get(consentId);
    db.close();
    return n;
  }

  function authorised() {
    const { consentId } = bank.store.consents.createDomesticPayment({
      clientId: MONEYWISE,
      initiation: initiation(),
      risk: RISK,
    });
    bank.store.consents.authorise(consentId, { customerId: ALICE.customerId, accountIds: [ALICE.current] });
    return consentId;
  }

  it('with the same key create one payment and replay it to the others', async () => {
    const consentId = authorised();
    const before = bank.store.accounts.balances(ALICE.current)[0]!.amountMinor;
    const results = await race(consentId, ['retry-key', 'retry-key', 'retry-key', 'retry-key']);
    expect(results.every((r) => r.error === undefined)).toBe(true);
    expect(new Set(results.map((r) => r.paymentId)).size).toBe(1);
    expect(results.filter((r) => r.replayed === false)).toHaveLength(1);
    expect(paymentsFor(consentId)).toBe(1);
    expect(bank.store.accounts.balances(ALICE.current)[0]!.amountMinor).toBe(before - 2_550);
  });

  it('with different keys still execute the consent once', async () => {
    const consentId = authorised();
    const results = await race(consentId, ['k-a', 'k-b', 'k-c']);
    expect(results.filter((r) => r.paymentId)).toHaveLength(1);
    expect(results.filter((r) => r.error === 'ConsentStateError')).toHaveLength(2);
    expect(paymentsFor(consentId)).toBe(1);
  });
});
