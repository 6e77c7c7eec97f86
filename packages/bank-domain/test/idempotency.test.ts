import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  hashRequest,
  IDEMPOTENCY_WINDOW_MS,
  IdempotencyConflict,
  InvalidIdempotencyKey,
} from '../src/index.js';
import {
  ALICE,
  BUDGETLY,
  ENGINES,
  initiation,
  MONEYWISE,
  openTestBank,
  RISK,
  scalar,
  sql,
  type TestBank,
} from './helpers.js';

describe.each(ENGINES)('on %s', (engine) => {
  let bank: TestBank;
  beforeEach(async () => {
    bank = await openTestBank(engine);
  });
  afterEach(() => bank.cleanup());

  const READ = ['ReadBalances'];
  const createConsent = (key: string, body: { permissions: string[] }, clientId = MONEYWISE) =>
    bank.store.idempotency.run(
      { clientId, operation: 'POST /account-access-consents', key, requestHash: hashRequest(body) },
      async (tx) => ({ status: 201, body: await tx.consents.createAccountAccess({ clientId, ...body }) }),
    );

  const consentCount = () => scalar(bank, sql`SELECT COUNT(*) FROM consents`);

  describe('idempotency records', () => {
    it('return the original resource for the same key and body', async () => {
      const first = await createConsent('key-1', { permissions: READ });
      expect(first.replayed).toBe(false);
      expect(first.status).toBe(201);
      const again = await createConsent('key-1', { permissions: READ });
      expect(again).toEqual({ ...first, replayed: true });
      expect(await consentCount()).toBe(1);
    });

    it('treat bodies with reordered keys as the same body', async () => {
      const body = { consentId: 'x', initiation: initiation(), risk: RISK };
      const reordered = { risk: RISK, initiation: { ...initiation() }, consentId: 'x' };
      expect(hashRequest(reordered)).toBe(hashRequest(body));
      expect(hashRequest({ ...body, consentId: 'y' })).not.toBe(hashRequest(body));
    });

    it('refuse the same key with a different body, creating nothing', async () => {
      await createConsent('key-1', { permissions: READ });
      await expect(createConsent('key-1', { permissions: ['ReadAccountsBasic'] })).rejects.toThrow(
        IdempotencyConflict,
      );
      expect(await consentCount()).toBe(1);
    });

    it('are scoped per client and per operation', async () => {
      const mine = await createConsent('shared-key', { permissions: READ });
      const theirs = await createConsent('shared-key', { permissions: READ }, BUDGETLY);
      expect(theirs.replayed).toBe(false);
      expect(theirs.body.consentId).not.toBe(mine.body.consentId);
      const other = await bank.store.idempotency.run(
        {
          clientId: MONEYWISE,
          operation: 'POST /domestic-payment-consents',
          key: 'shared-key',
          requestHash: 'h',
        },
        async () => ({ status: 201, body: { ok: true } }),
      );
      expect(other.replayed).toBe(false);
    });

    it('store nothing when the operation fails, so a corrected retry can succeed', async () => {
      await expect(createConsent('key-2', { permissions: ['ReadTransactionsBasic'] })).rejects.toThrow();
      expect(await consentCount()).toBe(0);
      expect((await createConsent('key-2', { permissions: READ })).replayed).toBe(false);
    });

    it('roll back the resource when the record cannot be written', async () => {
      await expect(
        bank.store.idempotency.run(
          { clientId: MONEYWISE, operation: 'POST /account-access-consents', key: 'key-3', requestHash: 'h' },
          async (tx) => {
            await tx.consents.createAccountAccess({ clientId: MONEYWISE, permissions: READ });
            throw new Error('response could not be built');
          },
        ),
      ).rejects.toThrow('response could not be built');
      expect(await consentCount()).toBe(0);
    });

    it('expire after 24 hours', async () => {
      const first = await createConsent('key-4', { permissions: READ });
      bank.clock.advance(IDEMPOTENCY_WINDOW_MS - 1);
      expect((await createConsent('key-4', { permissions: READ })).replayed).toBe(true);
      bank.clock.advance(1);
      const fresh = await createConsent('key-4', { permissions: ['ReadAccountsBasic'] });
      expect(fresh.replayed).toBe(false);
      expect(fresh.body.consentId).not.toBe(first.body.consentId);
    });

    it.each(['', ' ', 'has space', 'x'.repeat(41), 'tab\tkey', 'émoji'])('refuse the key %j', async (key) => {
      await expect(createConsent(key, { permissions: READ })).rejects.toThrow(InvalidIdempotencyKey);
      expect(await consentCount()).toBe(0);
    });
  });

  // Each race starts several tsx processes; on a busy machine that alone can take longer than the default 5 s.
  describe('concurrent payment retries across processes', { timeout: 90_000 }, () => {
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
            JSON.stringify(bank.location),
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

    const paymentsFor = (consentId: string) =>
      scalar(bank, sql`SELECT COUNT(*) FROM domestic_payments WHERE consent_id = ${consentId}`);

    async function authorised() {
      const { consentId } = await bank.store.consents.createDomesticPayment({
        clientId: MONEYWISE,
        initiation: initiation(),
        risk: RISK,
      });
      await bank.store.consents.authorise(consentId, {
        customerId: ALICE.customerId,
        accountIds: [ALICE.current],
      });
      return consentId;
    }

    it('with the same key create one payment and replay it to the others', async () => {
      const consentId = await authorised();
      const before = (await bank.store.accounts.balances(ALICE.current))[0]!.amountMinor;
      const results = await race(consentId, ['retry-key', 'retry-key', 'retry-key', 'retry-key']);
      expect(results.every((r) => r.error === undefined)).toBe(true);
      expect(new Set(results.map((r) => r.paymentId)).size).toBe(1);
      expect(results.filter((r) => r.replayed === false)).toHaveLength(1);
      expect(await paymentsFor(consentId)).toBe(1);
      expect((await bank.store.accounts.balances(ALICE.current))[0]!.amountMinor).toBe(before - 2_550);
    });

    it('with different keys still execute the consent once', async () => {
      const consentId = await authorised();
      const results = await race(consentId, ['k-a', 'k-b', 'k-c']);
      expect(results.filter((r) => r.paymentId)).toHaveLength(1);
      expect(results.filter((r) => r.error === 'ConsentStateError')).toHaveLength(2);
      expect(await paymentsFor(consentId)).toBe(1);
    });
  });
});
