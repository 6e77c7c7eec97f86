import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AccountNotFound,
  AccountNotOwned,
  ConsentExpired,
  ConsentNotFound,
  ConsentStateError,
  InvalidConsentRequest,
  InvalidPermissions,
} from '../src/index.js';
import {
  ALICE,
  BOB,
  BUDGETLY,
  ENGINES,
  initiation,
  MONEYWISE,
  openTestBank,
  RISK,
  type TestBank,
} from './helpers.js';

describe.each(ENGINES)('on %s', (engine) => {
  let bank: TestBank;
  beforeEach(async () => {
    bank = await openTestBank(engine);
  });
  afterEach(() => bank.cleanup());

  const READ_ALL = [
    'ReadAccountsDetail',
    'ReadBalances',
    'ReadTransactionsDetail',
    'ReadTransactionsCredits',
    'ReadTransactionsDebits',
  ];

  describe('account-access consents', () => {
    it('are created AwaitingAuthorisation for the client, with validated permissions and dates', async () => {
      const consent = await bank.store.consents.createAccountAccess({
        clientId: MONEYWISE,
        permissions: READ_ALL,
        expirationDateTime: '2025-10-01T00:00:00+01:00',
        transactionFromDateTime: '2025-04-01T00:00:00Z',
        transactionToDateTime: '2025-06-30T00:00:00Z',
      });
      expect(consent).toEqual({
        consentId: expect.stringMatching(/^aac-[0-9a-f-]{36}$/),
        kind: 'account-access',
        clientId: MONEYWISE,
        status: 'AwaitingAuthorisation',
        creationDateTime: bank.clock.now.toISOString(),
        statusUpdateDateTime: bank.clock.now.toISOString(),
        permissions: READ_ALL,
        expirationDateTime: '2025-09-30T23:00:00.000Z',
        transactionFromDateTime: '2025-04-01T00:00:00.000Z',
        transactionToDateTime: '2025-06-30T00:00:00.000Z',
      });
      expect(await bank.store.consents.get(consent.consentId)).toEqual(consent);
    });

    it('refuse bad permissions, past expiry and inverted transaction windows, writing nothing', async () => {
      const attempts = [
        () =>
          bank.store.consents.createAccountAccess({
            clientId: MONEYWISE,
            permissions: ['ReadTransactionsBasic'],
          }),
        () =>
          bank.store.consents.createAccountAccess({
            clientId: MONEYWISE,
            permissions: ['ReadBalances'],
            expirationDateTime: '2025-06-30T00:00:00Z',
          }),
        () =>
          bank.store.consents.createAccountAccess({
            clientId: MONEYWISE,
            permissions: ['ReadBalances'],
            transactionFromDateTime: '2025-06-01T00:00:00Z',
            transactionToDateTime: '2025-05-01T00:00:00Z',
          }),
        () =>
          bank.store.consents.createAccountAccess({
            clientId: MONEYWISE,
            permissions: ['ReadBalances'],
            expirationDateTime: 'next tuesday',
          }),
      ];
      await expect(attempts[0]!()).rejects.toThrow(InvalidPermissions);
      for (const attempt of attempts.slice(1)) await expect(attempt()).rejects.toThrow(InvalidConsentRequest);
    });

    it('are authorised by the customer for their own accounts only, once', async () => {
      const { consentId } = await bank.store.consents.createAccountAccess({
        clientId: MONEYWISE,
        permissions: READ_ALL,
      });
      await expect(
        bank.store.consents.authorise(consentId, { customerId: ALICE.customerId, accountIds: [BOB.current] }),
      ).rejects.toThrow(AccountNotOwned);
      await expect(
        bank.store.consents.authorise(consentId, { customerId: ALICE.customerId, accountIds: ['70009999'] }),
      ).rejects.toThrow(AccountNotFound);
      await expect(
        bank.store.consents.authorise(consentId, { customerId: ALICE.customerId, accountIds: [] }),
      ).rejects.toThrow(InvalidConsentRequest);
      expect((await bank.store.consents.get(consentId))?.status).toBe('AwaitingAuthorisation');

      bank.clock.advance(60_000);
      const authorised = await bank.store.consents.authorise(consentId, {
        customerId: ALICE.customerId,
        accountIds: [ALICE.current, ALICE.savings, ALICE.current],
      });
      expect(authorised).toMatchObject({
        status: 'Authorised',
        customerId: ALICE.customerId,
        accountIds: [ALICE.current, ALICE.savings],
        statusUpdateDateTime: bank.clock.now.toISOString(),
      });
      expect(authorised.creationDateTime).not.toBe(authorised.statusUpdateDateTime);

      await expect(
        bank.store.consents.authorise(consentId, {
          customerId: ALICE.customerId,
          accountIds: [ALICE.current],
        }),
      ).rejects.toThrow(ConsentStateError);
      await expect(bank.store.consents.reject(consentId)).rejects.toThrow(ConsentStateError);
    });

    it('can be rejected, after which they cannot be authorised', async () => {
      const { consentId } = await bank.store.consents.createAccountAccess({
        clientId: MONEYWISE,
        permissions: READ_ALL,
      });
      expect((await bank.store.consents.reject(consentId)).status).toBe('Rejected');
      await expect(
        bank.store.consents.authorise(consentId, {
          customerId: ALICE.customerId,
          accountIds: [ALICE.current],
        }),
      ).rejects.toThrow(/is Rejected; authorise needs it AwaitingAuthorisation/);
      await expect(bank.store.consents.reject('aac-missing')).rejects.toThrow(ConsentNotFound);
    });

    it('cannot be authorised after they expire', async () => {
      const { consentId } = await bank.store.consents.createAccountAccess({
        clientId: MONEYWISE,
        permissions: READ_ALL,
        expirationDateTime: '2025-07-01T11:00:00Z',
      });
      bank.clock.advance(2 * 3_600_000);
      await expect(
        bank.store.consents.authorise(consentId, {
          customerId: ALICE.customerId,
          accountIds: [ALICE.current],
        }),
      ).rejects.toThrow(ConsentExpired);
    });

    describe('requireAuthorised: what a resource call checks', () => {
      it('returns the consent only to its client, of its kind, while Authorised and unexpired', async () => {
        const { consentId } = await bank.store.consents.createAccountAccess({
          clientId: MONEYWISE,
          permissions: READ_ALL,
          expirationDateTime: '2025-07-02T10:00:00Z',
        });
        await expect(
          bank.store.consents.requireAuthorised(consentId, MONEYWISE, 'account-access'),
        ).rejects.toThrow(ConsentStateError);
        await bank.store.consents.authorise(consentId, {
          customerId: ALICE.customerId,
          accountIds: [ALICE.current],
        });
        expect(
          (await bank.store.consents.requireAuthorised(consentId, MONEYWISE, 'account-access')).consentId,
        ).toBe(consentId);
        // Another client learns nothing: the consent "does not exist" for it.
        await expect(
          bank.store.consents.requireAuthorised(consentId, BUDGETLY, 'account-access'),
        ).rejects.toThrow(ConsentNotFound);
        await expect(
          bank.store.consents.requireAuthorised(consentId, MONEYWISE, 'domestic-payment'),
        ).rejects.toThrow(ConsentNotFound);
        bank.clock.advance(24 * 3_600_000);
        await expect(
          bank.store.consents.requireAuthorised(consentId, MONEYWISE, 'account-access'),
        ).rejects.toThrow(ConsentExpired);
      });
    });

    describe('revocation', () => {
      it('by the TPP that owns the consent stops access at once', async () => {
        const { consentId } = await bank.store.consents.createAccountAccess({
          clientId: MONEYWISE,
          permissions: READ_ALL,
        });
        await bank.store.consents.authorise(consentId, {
          customerId: ALICE.customerId,
          accountIds: [ALICE.current],
        });
        await expect(
          bank.store.consents.revoke(consentId, { by: 'tpp', clientId: BUDGETLY }),
        ).rejects.toThrow(ConsentNotFound);
        const revoked = await bank.store.consents.revoke(consentId, { by: 'tpp', clientId: MONEYWISE });
        expect(revoked).toMatchObject({ status: 'Revoked', revokedBy: 'tpp' });
        await expect(
          bank.store.consents.requireAuthorised(consentId, MONEYWISE, 'account-access'),
        ).rejects.toThrow(/is Revoked/);
        await expect(
          bank.store.consents.revoke(consentId, { by: 'tpp', clientId: MONEYWISE }),
        ).rejects.toThrow(ConsentStateError);
      });

      it('by the TPP also withdraws a consent not yet authorised', async () => {
        const { consentId } = await bank.store.consents.createAccountAccess({
          clientId: MONEYWISE,
          permissions: READ_ALL,
        });
        expect((await bank.store.consents.revoke(consentId, { by: 'tpp', clientId: MONEYWISE })).status).toBe(
          'Revoked',
        );
        await expect(
          bank.store.consents.authorise(consentId, {
            customerId: ALICE.customerId,
            accountIds: [ALICE.current],
          }),
        ).rejects.toThrow(ConsentStateError);
      });

      it('by the customer who authorised it, and nobody else', async () => {
        const { consentId } = await bank.store.consents.createAccountAccess({
          clientId: MONEYWISE,
          permissions: READ_ALL,
        });
        await bank.store.consents.authorise(consentId, {
          customerId: ALICE.customerId,
          accountIds: [ALICE.current],
        });
        expect((await bank.store.consents.listForCustomer(ALICE.customerId)).map((c) => c.consentId)).toEqual(
          [consentId],
        );
        await expect(
          bank.store.consents.revoke(consentId, { by: 'customer', customerId: BOB.customerId }),
        ).rejects.toThrow(ConsentNotFound);
        expect(
          await bank.store.consents.revoke(consentId, { by: 'customer', customerId: ALICE.customerId }),
        ).toMatchObject({
          status: 'Revoked',
          revokedBy: 'customer',
        });
      });

      it('is not how a payment consent ends (UK OB: not deletable by the TPP)', async () => {
        const { consentId } = await bank.store.consents.createDomesticPayment({
          clientId: MONEYWISE,
          initiation: initiation(),
          risk: RISK,
        });
        await expect(
          bank.store.consents.revoke(consentId, { by: 'tpp', clientId: MONEYWISE }),
        ).rejects.toThrow(ConsentNotFound);
      });
    });
  });

  describe('domestic-payment consents', () => {
    it('keep the initiation and risk exactly as given', async () => {
      const consent = await bank.store.consents.createDomesticPayment({
        clientId: MONEYWISE,
        initiation: initiation(),
        risk: RISK,
      });
      expect(consent).toMatchObject({
        consentId: expect.stringMatching(/^pdc-/),
        kind: 'domestic-payment',
        status: 'AwaitingAuthorisation',
        initiation: initiation(),
        risk: RISK,
      });
      expect(consent.permissions).toBeUndefined();
    });

    it.each([
      ['a zero amount', initiation({ instructedAmount: { amountMinor: 0, currency: 'GBP' } })],
      ['a fractional minor amount', initiation({ instructedAmount: { amountMinor: 10.5, currency: 'GBP' } })],
      ['a non-GBP amount', initiation({ instructedAmount: { amountMinor: 100, currency: 'EUR' } })],
      [
        'a malformed sort code and account number',
        initiation({
          creditorAccount: { schemeName: 'UK.OBIE.SortCodeAccountNumber', identification: '0808', name: 'X' },
        }),
      ],
      [
        'no creditor name',
        initiation({
          creditorAccount: { schemeName: 'UK.OBIE.IBAN', identification: 'GB33BUKB20201555555555' },
        }),
      ],
      ['no instruction id', initiation({ instructionIdentification: '' })],
    ])('refuse %s', async (_name, bad) => {
      await expect(
        bank.store.consents.createDomesticPayment({ clientId: MONEYWISE, initiation: bad, risk: RISK }),
      ).rejects.toThrow(InvalidConsentRequest);
    });

    it('are authorised against exactly one of the customer’s accounts', async () => {
      const { consentId } = await bank.store.consents.createDomesticPayment({
        clientId: MONEYWISE,
        initiation: initiation(),
        risk: RISK,
      });
      await expect(
        bank.store.consents.authorise(consentId, {
          customerId: ALICE.customerId,
          accountIds: [ALICE.current, ALICE.savings],
        }),
      ).rejects.toThrow(/exactly one account/);
      const authorised = await bank.store.consents.authorise(consentId, {
        customerId: ALICE.customerId,
        accountIds: [ALICE.current],
      });
      expect(authorised.accountIds).toEqual([ALICE.current]);
    });

    it('must be paid from the DebtorAccount when the TPP names one', async () => {
      const savings = (await bank.store.accounts.get(ALICE.savings))!.account[0]!;
      const { consentId } = await bank.store.consents.createDomesticPayment({
        clientId: MONEYWISE,
        initiation: initiation({
          debtorAccount: { schemeName: savings.schemeName, identification: savings.identification },
        }),
        risk: RISK,
      });
      await expect(
        bank.store.consents.authorise(consentId, {
          customerId: ALICE.customerId,
          accountIds: [ALICE.current],
        }),
      ).rejects.toThrow(/DebtorAccount/);
      expect(
        (
          await bank.store.consents.authorise(consentId, {
            customerId: ALICE.customerId,
            accountIds: [ALICE.savings],
          })
        ).status,
      ).toBe('Authorised');
    });

    it('confirm funds once authorised, against booked balance plus overdraft', async () => {
      const small = await bank.store.consents.createDomesticPayment({
        clientId: MONEYWISE,
        initiation: initiation(),
        risk: RISK,
      });
      await expect(bank.store.consents.confirmFunds(small.consentId, MONEYWISE)).rejects.toThrow(
        ConsentStateError,
      );
      await bank.store.consents.authorise(small.consentId, {
        customerId: ALICE.customerId,
        accountIds: [ALICE.current],
      });
      expect(await bank.store.consents.confirmFunds(small.consentId, MONEYWISE)).toEqual({
        fundsAvailable: true,
        fundsAvailableDateTime: bank.clock.now.toISOString(),
      });
      await expect(bank.store.consents.confirmFunds(small.consentId, BUDGETLY)).rejects.toThrow(
        ConsentNotFound,
      );

      const [, available] = await bank.store.accounts.balances(ALICE.current);
      const exact = await bank.store.consents.createDomesticPayment({
        clientId: MONEYWISE,
        initiation: initiation({
          instructedAmount: { amountMinor: available!.amountMinor, currency: 'GBP' },
        }),
        risk: RISK,
      });
      await bank.store.consents.authorise(exact.consentId, {
        customerId: ALICE.customerId,
        accountIds: [ALICE.current],
      });
      expect((await bank.store.consents.confirmFunds(exact.consentId, MONEYWISE)).fundsAvailable).toBe(true);

      const tooMuch = await bank.store.consents.createDomesticPayment({
        clientId: MONEYWISE,
        initiation: initiation({
          instructedAmount: { amountMinor: available!.amountMinor + 1, currency: 'GBP' },
        }),
        risk: RISK,
      });
      await bank.store.consents.authorise(tooMuch.consentId, {
        customerId: ALICE.customerId,
        accountIds: [ALICE.current],
      });
      expect((await bank.store.consents.confirmFunds(tooMuch.consentId, MONEYWISE)).fundsAvailable).toBe(
        false,
      );
    });
  });
});
