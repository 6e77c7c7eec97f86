import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConsentNotFound,
  ConsentStateError,
  InsufficientFunds,
  PaymentMismatch,
  PaymentNotFound,
  PaymentToSameAccount,
} from '../src/index.js';
import { ALICE, BOB, BUDGETLY, initiation, MONEYWISE, openTestBank, RISK, type TestBank } from './helpers.js';

let bank: TestBank;
beforeEach(() => {
  bank = openTestBank();
});
afterEach(() => bank.cleanup());

function authorisedPaymentConsent(init = initiation(), accountId = ALICE.current) {
  const { consentId } = bank.store.consents.createDomesticPayment({
    clientId: MONEYWISE,
    initiation: init,
    risk: RISK,
  });
  bank.store.consents.authorise(consentId, { customerId: ALICE.customerId, accountIds: [accountId] });
  return consentId;
}

const booked = (accountId: string) => {
  const [b] = bank.store.accounts.balances(accountId);
  return b!.creditDebitIndicator === 'Credit' ? b!.amountMinor : -b!.amountMinor;
};

describe('domestic payments', () => {
  it('execute atomically: debit, transaction, consent Consumed, payment readable', () => {
    const consentId = authorisedPaymentConsent();
    const before = booked(ALICE.current);
    const countBefore = bank.store.accounts.transactions(ALICE.current).totalCount;
    bank.clock.advance(5_000);

    const payment = bank.store.payments.submitDomestic({
      clientId: MONEYWISE,
      consentId,
      initiation: initiation(),
      risk: RISK,
    });
    expect(payment).toMatchObject({
      domesticPaymentId: expect.stringMatching(/^dp-/),
      consentId,
      clientId: MONEYWISE,
      status: 'AcceptedSettlementCompleted',
      creationDateTime: bank.clock.now.toISOString(),
      initiation: initiation(),
      debtorAccountId: ALICE.current,
    });
    expect(booked(ALICE.current)).toBe(before - 2_550);
    const [newest] = bank.store.accounts.transactions(ALICE.current, { pageSize: 1 }).transactions;
    expect(newest).toMatchObject({
      transactionId: payment.transactionId,
      amountMinor: 2_550,
      creditDebitIndicator: 'Debit',
      transactionReference: 'INV-2291',
      transactionInformation: 'PAYMENT TO ACME PLUMBING LTD',
      bookingDateTime: bank.clock.now.toISOString(),
      balanceAfterMinor: before - 2_550,
    });
    expect(bank.store.accounts.transactions(ALICE.current).totalCount).toBe(countBefore + 1);
    expect(bank.store.consents.get(consentId)?.status).toBe('Consumed');
    expect(bank.store.payments.get(payment.domesticPaymentId)).toEqual(payment);
    expect(bank.store.payments.getForClient(payment.domesticPaymentId, MONEYWISE)).toEqual(payment);
    expect(() => bank.store.payments.getForClient(payment.domesticPaymentId, BUDGETLY)).toThrow(
      PaymentNotFound,
    );
    expect(bank.store.payments.get('dp-missing')).toBeUndefined();
  });

  it('credit the payee when they bank here too', () => {
    const bobCurrent = bank.store.accounts.get(BOB.current)!.account[0]!;
    const toBob = initiation({
      creditorAccount: {
        schemeName: bobCurrent.schemeName,
        identification: bobCurrent.identification,
        name: 'Bob Okafor',
      },
    });
    const consentId = authorisedPaymentConsent(toBob);
    const bobBefore = booked(BOB.current);
    bank.store.payments.submitDomestic({ clientId: MONEYWISE, consentId, initiation: toBob, risk: RISK });
    expect(booked(BOB.current)).toBe(bobBefore + 2_550);
    const [credit] = bank.store.accounts.transactions(BOB.current, { pageSize: 1 }).transactions;
    expect(credit).toMatchObject({
      creditDebitIndicator: 'Credit',
      amountMinor: 2_550,
      transactionInformation: 'PAYMENT FROM ALICE CARTER',
      balanceAfterMinor: bobBefore + 2_550,
    });
  });

  it('execute a consent only once', () => {
    const consentId = authorisedPaymentConsent();
    const request = { clientId: MONEYWISE, consentId, initiation: initiation(), risk: RISK };
    bank.store.payments.submitDomestic(request);
    const after = booked(ALICE.current);
    expect(() => bank.store.payments.submitDomestic(request)).toThrow(
      /is Consumed; access needs it Authorised/,
    );
    expect(booked(ALICE.current)).toBe(after);
  });

  describe('refused, changing nothing', () => {
    const unchanged = (consentId: string, attempt: () => unknown, error: unknown) => {
      const before = booked(ALICE.current);
      const count = bank.store.accounts.transactions(ALICE.current).totalCount;
      expect(attempt).toThrow(error as Error);
      expect(booked(ALICE.current)).toBe(before);
      expect(bank.store.accounts.transactions(ALICE.current).totalCount).toBe(count);
      expect(bank.store.consents.get(consentId)?.status).toBe('Authorised');
    };

    it('when the amount differs from the consent', () => {
      const consentId = authorisedPaymentConsent();
      const attempt = () =>
        bank.store.payments.submitDomestic({
          clientId: MONEYWISE,
          consentId,
          initiation: initiation({ instructedAmount: { amountMinor: 2_551, currency: 'GBP' } }),
          risk: RISK,
        });
      unchanged(consentId, attempt, PaymentMismatch);
      expect(attempt).toThrow(/Initiation differs .* at instructedAmount.amountMinor/);
    });

    it('when the creditor, a reference, or an optional field differs', () => {
      const consentId = authorisedPaymentConsent();
      for (const changed of [
        initiation({
          creditorAccount: { ...initiation().creditorAccount, identification: '08080021325699' },
        }),
        initiation({ remittanceInformation: { reference: 'INV-2292', unstructured: 'Boiler service' } }),
        initiation({ localInstrument: 'UK.OBIE.FPS' }),
        { ...initiation(), remittanceInformation: undefined },
      ]) {
        unchanged(
          consentId,
          () =>
            bank.store.payments.submitDomestic({
              clientId: MONEYWISE,
              consentId,
              initiation: changed,
              risk: RISK,
            }),
          PaymentMismatch,
        );
      }
    });

    it('when the risk differs', () => {
      const consentId = authorisedPaymentConsent();
      const attempt = () =>
        bank.store.payments.submitDomestic({
          clientId: MONEYWISE,
          consentId,
          initiation: initiation(),
          risk: { PaymentContextCode: 'EcommerceGoods' },
        });
      unchanged(consentId, attempt, /Risk differs .* at PaymentContextCode/);
    });

    it('when another client presents the consent', () => {
      const consentId = authorisedPaymentConsent();
      unchanged(
        consentId,
        () =>
          bank.store.payments.submitDomestic({
            clientId: BUDGETLY,
            consentId,
            initiation: initiation(),
            risk: RISK,
          }),
        ConsentNotFound,
      );
    });

    it('when the funds are not there (booked + overdraft)', () => {
      const [, available] = bank.store.accounts.balances(ALICE.current);
      const big = initiation({
        instructedAmount: { amountMinor: available!.amountMinor + 1, currency: 'GBP' },
      });
      const consentId = authorisedPaymentConsent(big);
      unchanged(
        consentId,
        () =>
          bank.store.payments.submitDomestic({ clientId: MONEYWISE, consentId, initiation: big, risk: RISK }),
        InsufficientFunds,
      );
    });

    it('when the consent is not authorised yet', () => {
      const { consentId } = bank.store.consents.createDomesticPayment({
        clientId: MONEYWISE,
        initiation: initiation(),
        risk: RISK,
      });
      expect(() =>
        bank.store.payments.submitDomestic({
          clientId: MONEYWISE,
          consentId,
          initiation: initiation(),
          risk: RISK,
        }),
      ).toThrow(ConsentStateError);
    });
  });

  it('may use the arranged overdraft to the last penny', () => {
    const [, available] = bank.store.accounts.balances(ALICE.current);
    const all = initiation({ instructedAmount: { amountMinor: available!.amountMinor, currency: 'GBP' } });
    const consentId = authorisedPaymentConsent(all);
    bank.store.payments.submitDomestic({ clientId: MONEYWISE, consentId, initiation: all, risk: RISK });
    const [bookedAfter, availableAfter] = bank.store.accounts.balances(ALICE.current);
    expect(bookedAfter).toMatchObject({ amountMinor: 50_000, creditDebitIndicator: 'Debit' });
    expect(availableAfter).toMatchObject({ amountMinor: 0 });
  });
});

describe('a payment from an account to itself (money would vanish: a debit with no credit)', () => {
  const aliceCurrent = () => {
    const account = bank.store.accounts.get(ALICE.current)!.account[0]!;
    return { schemeName: account.schemeName, identification: account.identification, name: 'Alice' };
  };
  const balances = () => [booked(ALICE.current), booked(ALICE.savings)];

  it('is refused when the consent names the same DebtorAccount and CreditorAccount', () => {
    expect(() =>
      bank.store.consents.createDomesticPayment({
        clientId: MONEYWISE,
        initiation: initiation({ debtorAccount: aliceCurrent(), creditorAccount: aliceCurrent() }),
        risk: RISK,
      }),
    ).toThrow(PaymentToSameAccount);
  });

  it('is refused when the customer picks the creditor account to pay from, and the consent still awaits', () => {
    const { consentId } = bank.store.consents.createDomesticPayment({
      clientId: MONEYWISE,
      initiation: initiation({ creditorAccount: aliceCurrent() }),
      risk: RISK,
    });
    expect(() =>
      bank.store.consents.authorise(consentId, { customerId: ALICE.customerId, accountIds: [ALICE.current] }),
    ).toThrow(/CreditorAccount \d+ is the account the payment is made from/);
    expect(bank.store.consents.get(consentId)?.status).toBe('AwaitingAuthorisation');
  });

  it('is refused at execution with no balance or transaction changed, even for a consent authorised before the rule', () => {
    const toOwnCurrent = initiation({ creditorAccount: aliceCurrent() });
    const consentId = authorisedPaymentConsent(toOwnCurrent, ALICE.savings);
    // A bank that authorised it before this rule existed: the consent now pays from the creditor account.
    const db = new Database(bank.file);
    db.prepare('UPDATE consents SET account_ids = ? WHERE consent_id = ?').run(
      JSON.stringify([ALICE.current]),
      consentId,
    );
    db.close();
    const before = balances();
    const transactionsBefore = bank.store.accounts.transactions(ALICE.current).totalCount;

    expect(() =>
      bank.store.payments.submitDomestic({
        clientId: MONEYWISE,
        consentId,
        initiation: toOwnCurrent,
        risk: RISK,
      }),
    ).toThrow(PaymentToSameAccount);
    expect(balances()).toEqual(before);
    expect(bank.store.accounts.transactions(ALICE.current).totalCount).toBe(transactionsBefore);
    expect(bank.store.consents.get(consentId)?.status).toBe('Authorised');
  });
});
