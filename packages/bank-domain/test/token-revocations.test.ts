// The revocation record bank-op writes and bank-api reads: a revoked grant ends every token issued
// under it, a revoked access token only itself, and both processes see the record at once.
import { afterEach, describe, expect, it } from 'vitest';
import { openBankStore } from '../src/index.js';
import { ENGINES, openTestBank, type TestBank } from './helpers.js';

describe.each(ENGINES)('on %s', (engine) => {
  let bank: TestBank;
  afterEach(async () => bank?.cleanup());

  describe('token revocations', () => {
    it('ends every token of a revoked grant, and only that grant', async () => {
      bank = await openTestBank(engine);
      await bank.store.revocations.revokeGrant('grant-1', 'authorization code redeemed twice');
      expect(await bank.store.revocations.find({ grantId: 'grant-1', jti: 'any' })).toMatchObject({
        kind: 'grant',
        id: 'grant-1',
        reason: 'authorization code redeemed twice',
        revokedAt: bank.clock.now.toISOString(),
      });
      expect(await bank.store.revocations.find({ grantId: 'grant-2', jti: 'any' })).toBeUndefined();
    });

    it('ends one revoked access token, not its siblings', async () => {
      bank = await openTestBank(engine);
      await bank.store.revocations.revokeAccessToken(
        'jti-1',
        new Date(bank.clock.now.getTime() + 600_000),
        'access token revoked',
      );
      expect(await bank.store.revocations.find({ grantId: 'grant-1', jti: 'jti-1' })).toMatchObject({
        kind: 'access-token',
        reason: 'access token revoked',
      });
      expect(await bank.store.revocations.find({ grantId: 'grant-1', jti: 'jti-2' })).toBeUndefined();
    });

    it("names the grant's revocation when both the grant and the token were revoked, and a token without a grant by its own", async () => {
      bank = await openTestBank(engine);
      const expires = new Date(bank.clock.now.getTime() + 600_000);
      await bank.store.revocations.revokeAccessToken('jti-1', expires, 'access token revoked');
      await bank.store.revocations.revokeGrant('grant-1', 'refresh token reused');
      expect(await bank.store.revocations.find({ grantId: 'grant-1', jti: 'jti-1' })).toMatchObject({
        kind: 'grant',
        reason: 'refresh token reused',
      });
      expect(await bank.store.revocations.find({ jti: 'jti-1' })).toMatchObject({
        kind: 'access-token',
        id: 'jti-1',
      });
      // A grant id that happens to equal a revoked token's jti is not that token.
      expect(await bank.store.revocations.find({ grantId: 'jti-1', jti: 'jti-9' })).toBeUndefined();
      expect(await bank.store.revocations.find({ jti: 'grant-1' })).toBeUndefined();
    });

    it('is seen by the other process that opens the same file', async () => {
      bank = await openTestBank(engine);
      const other = await openBankStore({ ...bank.location, now: () => bank.clock.now });
      try {
        await other.revocations.revokeGrant('grant-9', 'refresh token revoked');
        expect((await bank.store.revocations.find({ grantId: 'grant-9', jti: 'x' }))?.reason).toBe(
          'refresh token revoked',
        );
      } finally {
        await other.close();
      }
    });

    it('keeps the first reason when a grant is revoked again', async () => {
      bank = await openTestBank(engine);
      await bank.store.revocations.revokeGrant('grant-1', 'refresh token revoked');
      await bank.store.revocations.revokeGrant('grant-1', 'grant revoked');
      expect((await bank.store.revocations.find({ grantId: 'grant-1', jti: 'x' }))?.reason).toBe(
        'refresh token revoked',
      );
    });

    it('forgets an access token record once the token has expired anyway', async () => {
      bank = await openTestBank(engine);
      await bank.store.revocations.revokeAccessToken(
        'jti-1',
        new Date(bank.clock.now.getTime() + 600_000),
        'access token revoked',
      );
      bank.clock.advance(601_000);
      await bank.store.revocations.revokeGrant('grant-2', 'grant revoked');
      expect(await bank.store.revocations.find({ jti: 'jti-1' })).toBeUndefined();
    });
  });
});
