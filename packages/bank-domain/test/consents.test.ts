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
import { ALICE, BOB, BUDGETLY, initiation, MONEYWISE, openTestBank, RISK, type TestBank } from './helpers.js';

let bank: TestBank;
beforeEach(() => {
  bank = openTestBank();
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
  it('are created AwaitingAuthorisation for the client, with validated permissions and dates', () => {
    const consent = bank.store.consents.createAccountAccess({
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
    expect(bank.store.consents.get(consent.consentId)).toEqual(consent);
  });

  it('refuse bad permissions, past expiry and inverted transaction windows, writing nothing', () => {
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
    expect(attempts[0]).toThrow(InvalidPermissions);
    for (const attempt of attempts.slice(1)) expect(attempt).toThrow(InvalidConsentRequest);
  });

  it('are authorised by the customer for their own accounts only, once', () => {
    const { consentId } = bank.store.consents.createAccountAccess({
      clientId: MONEYWISE,
      permissions: READ_ALL,
    });
    expect(() =>
      bank.store.consents.authorise(consentId, { customerId: ALICE.customerId, accountIds: [BOB.current] }),
    ).toThrow(AccountNotOwned);
    expect(() =>
      bank.store.consents.authorise(consentId, { customerId: ALICE.customerId, accountIds: ['70009999'] }),
    ).toThrow(AccountNotFound);
    expect(() =>
      bank.store.consents.authorise(consentId, { customerId: ALICE.customerId, accountIds: [] }),
    ).toThrow(InvalidConsentRequest);
    expect(bank.store.consents.get(consentId)?.status).toBe('AwaitingAuthorisation');

    bank.clock.advance(60_000);
    const authorised = bank.store.consents.authorise(consentId, {
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

    expect(() =>
      bank.store.consents.authorise(consentId, { customerId: ALICE.customerId, accountIds: [ALICE.current] }),
    ).toThrow(ConsentStateError);
    expect(() => bank.store.consents.reject(consentId)).toThrow(ConsentStateError);
  });

  it('can be rejected, after which they cannot be authorised', () => {
    const { consentId } = bank.store.consents.createAccountAccess({
      clientId: MONEYWISE,
      permissions: READ_ALL,
    });
    expect(bank.store.consents.reject(consentId).status).toBe('Rejected');
    expect(() =>
      bank.store.consents.authorise(consentId, { customerId: ALICE.customerId, accountIds: [ALICE.current] }),
    ).toThrow(/is Rejected; authorise needs it AwaitingAuthorisation/);
    expect(() => bank.store.consents.reject('aac-missing')).toThrow(ConsentNotFound);
  });

  it('cannot be authorised after they expire', () => {
    const { consentId } = bank.store.consents.createAccountAccess({
      clientId: MONEYWISE,
      permissions: READ_ALL,
      expirationDateTime: '2025-07-01T11:00:00Z',
    });
    bank.clock.advance(2 * 3_600_000);
    expect(() =>
      bank.store.consents.authorise(consentId, { customerId: ALICE.customerId, accountIds: [ALICE.current] }),
    ).toThrow(ConsentExpired);
  });

  describe('requireAuthorised: what a resource call checks', () => {
    it('returns the consent only to its client, of its kind, while Authorised and unexpired', () => {
      const { consentId } = bank.store.consents.createAccountAccess({
        clientId: MONEYWISE,
        permissions: READ_ALL,
        expirationDateTime: '2025-07-02T10:00:00Z',
      });
      expect(() => bank.store.consents.requireAuthorised(consentId, MONEYWISE, 'account-access')).toThrow(
        ConsentStateError,
      );
      bank.store.consents.authorise(consentId, { customerId: ALICE.customerId, accountIds: [ALICE.current] });
      expect(bank.store.consents.requireAuthorised(consentId, MONEYWISE, 'account-access').consentId).toBe(
        consentId,
      );
      // Another client learns nothing: the consent "does not exist" for it.
      expect(() => bank.store.consents.requireAuthorised(consentId, BUDGETLY, 'account-access')).toThrow(
        ConsentNotFound,
      );
      expect(() => bank.store.consents.requireAuthorised(consentId, MONEYWISE, 'domestic-payment')).toThrow(
        ConsentNotFound,
      );
      bank.clock.advance(24 * 3_600_000);
      expect(() => bank.store.consents.requireAuthorised(consentId, MONEYWISE, 'account-access')).toThrow(
        ConsentExpired,
      );
    });
  });

  describe('revocation', () => {
    it('by the TPP that owns the consent stops access at once', () => {
      const { consentId } = bank.store.consents.createAccountAccess({
        clientId: MONEYWISE,
        permissions: READ_ALL,
      });
      bank.store.consents.authorise(consentId, { customerId: ALICE.customerId, accountIds: [ALICE.current] });
      expect(() => bank.store.consents.revoke(consentId, { by: 'tpp', clientId: BUDGETLY })).toThrow(
        ConsentNotFound,
      );
      const revoked = bank.store.consents.revoke(consentId, { by: 'tpp', clientId: MONEYWISE });
      expect(revoked).toMatchObject({ status: 'Revoked', revokedBy: 'tpp' });
      expect(() => bank.store.consents.requireAuthorised(consentId, MONEYWISE, 'account-access')).toThrow(
        /is Revoked/,
      );
      expect(() => bank.store.consents.revoke(consentId, { by: 'tpp', clientId: MONEYWISE })).toThrow(
        ConsentStateError,
      );
    });

    it('by the TPP also withdraws a consent not yet authorised', () => {
      const { consentId } = bank.store.consents.createAccountAccess({
        clientId: MONEYWISE,
        permissions: READ_ALL,
      });
      expect(bank.store.consents.revoke(consentId, { by: 'tpp', clientId: MONEYWISE }).status).toBe(
        'Revoked',
      );
      expect(() =>
        bank.store.consents.authorise(consentId, {
          customerId: ALICE.customerId,
          accountIds: [ALICE.current],
        }),
      ).toThrow(ConsentStateError);
    });

    it('by the customer who authorised it, and nobody else', () => {
      const { consentId } = bank.store.consents.createAccountAccess({
        clientId: MONEYWISE,
        permissions: READ_ALL,
      });
      bank.store.consents.authorise(consentId, { customerId: ALICE.customerId, accountIds: [ALICE.current] });
      expect(bank.store.consents.listForCustomer(ALICE.customerId).map((c) => c.consentId)).toEqual([
        consentId,
      ]);
      expect(() =>
        bank.store.consents.revoke(consentId, { by: 'customer', customerId: BOB.customerId }),
      ).toThrow(ConsentNotFound);
      expect(
        bank.store.consents.revoke(consentId, { by: 'customer', customerId: ALICE.customerId }),
      ).toMatchObject({
        status: 'Revoked',
        revokedBy: 'customer',
      });
    });

    it('is not how a payment consent ends (UK OB: not deletable by the TPP)', () => {
      const { consentId } = bank.store.consents.createDomesticPayment({
        clientId: MONEYWISE,
        initiation: initiation(),
        risk: RISK,
      });
      expect(() => bank.store.consents.revoke(consentId, { by: 'tpp', clientId: MONEYWISE })).toThrow(
        ConsentNotFound,
      );
    });
  });
});

describe('domestic-payment consents', () => {
  it('keep the initiation and risk exactly as given', () => {
    const consent = bank.store.consents.createDomesticPayment({
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
  ])('refuse %s', (_name, bad) => {
    expect(() =>
      bank.store.consents.createDomesticPayment({ clientId: MONEYWISE, initiation: bad, risk: RISK }),
    ).toThrow(InvalidConsentRequest);
  });

  it('are authorised against exactly one of the customer’s accounts', () => {
    const { consentId } = bank.store.consents.createDomesticPayment({
      clientId: MONEYWISE,
      initiation: initiation(),
      risk: RISK,
    });
    expect(() =>
      bank.store.consents.authorise(consentId, {
        customerId: ALICE.customerId,
        accountIds: [ALICE.current, ALICE.savings],
      }),
    ).toThrow(/exactly one account/);
    const authorised = bank.store.consents.authorise(consentId, {
      customerId: ALICE.customerId,
      accountIds: [ALICE.current],
    });
    expect(authorised.accountIds).toEqual([ALICE.current]);
  });

  it('must be paid from the DebtorAccount when the TPP names one', () => {
    const savings = bank.store.accounts.get(ALICE.savings)!.account[0]!;
    const { consentId } = bank.store.consents.createDomesticPayment({
      clientId: MONEYWISE,
      initiation: initiation({
        debtorAccount: { schemeName: savings.schemeName, identification: savings.identification },
      }),
      risk: RISK,
    });
    expect(() =>
      bank.store.consents.authorise(consentId, { customerId: ALICE.customerId, accountIds: [ALICE.current] }),
    ).toThrow(/DebtorAccount/);
    expect(
      bank.store.consents.authorise(consentId, { customerId: ALICE.customerId, accountIds: [ALICE.savings] })
        .status,
    ).toBe('Authorised');
  });

  it('confirm funds once authorised, against booked balance plus overdraft', () => {
    const small = bank.store.consents.createDomesticPayment({
      clientId: MONEYWISE,
      initiation: initiation(),
      risk: RISK,
    });
    expect(() => bank.store.consents.confirmFunds(small.consentId, MONEYWISE)).toThrow(ConsentStateError);
    bank.store.consents.authorise(small.consentId, {
      customerId: ALICE.customerId,
      accountIds: [ALICE.current],
    });
    expect(bank.store.consents.confirmFunds(small.consentId, MONEYWISE)).toEqual({
      fundsAvailable: true,
      fundsAvailableDateTime: bank.clock.now.toISOString(),
    });
    expect(() => bank.store.consents.confirmFunds(small.consentId, BUDGETLY)).toThrow(ConsentNotFound);

    const [, available] = bank.store.accounts.balances(ALICE.current);
    const exact = bank.store.consents.createDomesticPayment({
      clientId: MONEYWISE,
      initiation: initiation({ instructedAmount: { amountMinor: available!.amountMinor, currency: 'GBP' } }),
      risk: RISK,
    });
    bank.store.consents.authorise(exact.consentId, {
      customerId: ALICE.customerId,
      accountIds: [ALICE.current],
    });
    expect(bank.store.consents.confirmFunds(exact.consentId, MONEYWISE).fundsAvailable).toBe(true);

    const tooMuch = bank.store.consents.createDomesticPayment({
      clientId: MONEYWISE,
      initiation: initiation({
        instructedAmount: { amountMinor: available!.amountMinor + 1, currency: 'GBP' },
      }),
      risk: RISK,
    });
    bank.store.consents.authorise(tooMuch.consentId, {
      customerId: ALICE.customerId,
      accountIds: [ALICE.current],
    });
    expect(bank.store.consents.confirmFunds(tooMuch.consentId, MONEYWISE).fundsAvailable).toBe(false);
  });
});
