// Queries compiled once and run with each call's own arguments: the values land where the markers
// were, the query's own constants stay, and a prepared query runs inside the caller's transaction.
import { afterEach, describe, expect, it } from 'vitest';
import type { BankDb } from '../src/database.js';
import { preparedQuery } from '../src/prepared-query.js';
import { ENGINES, openTestBank, type TestBank } from './helpers.js';

const revocationOfKind = preparedQuery((db: BankDb, id: string) =>
  db.selectFrom('token_revocations').select(['kind', 'id']).where('kind', '=', 'grant').where('id', '=', id),
);

describe.each(ENGINES)('on %s', (engine) => {
  let bank: TestBank;
  afterEach(async () => bank?.cleanup());

  it("binds each call's arguments and keeps the query's constants", async () => {
    bank = await openTestBank(engine);
    await bank.store.revocations.revokeGrant('grant-1', 'grant revoked');
    await bank.store.revocations.revokeGrant('grant-2', 'grant revoked');
    await bank.store.revocations.revokeAccessToken(
      'grant-1',
      new Date(Date.now() + 60_000),
      'access token revoked',
    );
    expect(await revocationOfKind(bank.probe, 'grant-1')).toEqual([{ kind: 'grant', id: 'grant-1' }]);
    expect(await revocationOfKind(bank.probe, 'grant-2')).toEqual([{ kind: 'grant', id: 'grant-2' }]);
    expect(await revocationOfKind(bank.probe, 'grant-3')).toEqual([]);
  });

  it("runs inside the caller's transaction, seeing what it wrote before it commits", async () => {
    bank = await openTestBank(engine);
    await bank.probe
      .transaction()
      .execute(async (trx) => {
        await trx
          .insertInto('token_revocations')
          .values({
            kind: 'grant',
            id: 'in-trx',
            reason: 'grant revoked',
            revoked_at: 'now',
            expires_at: 'later',
          })
          .execute();
        expect(await revocationOfKind(trx, 'in-trx')).toHaveLength(1);
        throw new Error('roll back');
      })
      .catch((err: Error) => expect(err.message).toBe('roll back'));
    expect(await revocationOfKind(bank.probe, 'in-trx')).toEqual([]);
  });

  it('refuses a query that leaves an argument unbound', async () => {
    bank = await openTestBank(engine);
    const careless = preparedQuery((db: BankDb, _id: string) =>
      db.selectFrom('token_revocations').selectAll(),
    );
    await expect(careless(bank.probe, 'x')).rejects.toThrow(/argument\(s\) 0 unbound/);
  });
});
