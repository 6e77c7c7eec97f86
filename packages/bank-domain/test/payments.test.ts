import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConsentNotFound,
  ConsentStateError,
  InsufficientFunds,
  PaymentMismatch,
  PaymentNotFound,
  PaymentToSameAccount,
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

  async function authorisedPaymentConsent(init = initiation(), accountId = ALICE.current) {
    const { consentId } = await bank.store.consents.createDomesticPayment({
      clientId: MONEYWISE,
      initiation: init,
      risk: RISK,
    });
    await bank.store.consents.authorise(consentId, { customerId: ALICE.customerId, accountIds: [accountId] });
    return consentId;
  }

  const booked = async (accountId: string) => {
    const [b] = await bank.store.accounts.balances(accountId);
    return b!.creditDebitIndicator === 'Credit' ? b!.amountMinor : -b!.amountMinor;
  };

  describe('domestic payments', () => {
    it('execute atomically: debit, transaction, consent Consumed, payment readable', async () => {
      const consentId = await authorisedPaymentConsent();
      const before = await booked(ALICE.current);
      const countBefore = (await bank.store.accounts.transactions(ALICE.current)).totalCount;
      bank.clock.advance(5_000);

      const payment = await bank.store.payments.submitDomestic({
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
      expect(await booked(ALICE.current)).toBe(before - 2_550);
      const [newest] = (await bank.store.accounts.transactions(ALICE.current, { pageSize: 1 })).transactions;
      expect(newest).toMatchObject({
        transactionId: payment.transactionId,
        amountMinor: 2_550,
        creditDebitIndicator: 'Debit',
        transactionReference: 'INV-2291',
        transactionInformation: 'PAYMENT TO ACME PLUMBING LTD',
        bookingDateTime: bank.clock.now.toISOString(),
        balanceAfterMinor: before - 2_550,
      });
      expect((await bank.store.accounts.transactions(ALICE.current)).totalCount).toBe(countBefore + 1);
      expect((await bank.store.consents.get(consentId))?.status).toBe('Consumed');
      expect(await bank.store.payments.get(payment.domesticPaymentId)).toEqual(payment);
      expect(await bank.store.payments.getForClient(payment.domesticPaymentId, MONEYWISE)).toEqual(payment);
      await expect(bank.store.payments.getForClient(payment.domesticPaymentId, BUDGETLY)).rejects.toThrow(
        PaymentNotFound,
      );
      expect(await bank.store.payments.get('dp-missing')).toBeUndefined();
    });

    it('credit the payee when they bank here too', async () => {
      const bobCurrent = (await bank.store.accounts.get(BOB.current))!.account[0]!;
      const toBob = initiation({
        creditorAccount: {
          schemeName: bobCurrent.schemeName,
          identification: bobCurrent.identification,
          name: 'Bob Okafor',
        },
      });
      const consentId = await authorisedPaymentConsent(toBob);
      const bobBefore = await booked(BOB.current);
      await bank.store.payments.submitDomestic({
        clientId: MONEYWISE,
        consentId,
        initiation: toBob,
        risk: RISK,
      });
      expect(await booked(BOB.current)).toBe(bobBefore + 2_550);
      const [credit] = (await bank.store.accounts.transactions(BOB.current, { pageSize: 1 })).transactions;
      expect(credit).toMatchObject({
        creditDebitIndicator: 'Credit',
        amountMinor: 2_550,
        transactionInformation: 'PAYMENT FROM ALICE CARTER',
        balanceAfterMinor: bobBefore + 2_550,
      });
    });

    it('execute a consent only once', async () => {
      const consentId = await authorisedPaymentConsent();
      const request = { clientId: MONEYWISE, consentId, initiation: initiation(), risk: RISK };
      await bank.store.payments.submitDomestic(request);
      const after = await booked(ALICE.current);
      await expect(bank.store.payments.submitDomestic(request)).rejects.toThrow(
        /is Consumed; access needs it Authorised/,
      );
      expect(await booked(ALICE.current)).toBe(after);
    });

    describe('refused, changing nothing', () => {
      const unchanged = async (consentId: string, attempt: () => Promise<unknown>, error: unknown) => {
        const before = await booked(ALICE.current);
        const count = (await bank.store.accounts.transactions(ALICE.current)).totalCount;
        await expect(attempt()).rejects.toThrow(error as Error);
        expect(await booked(ALICE.current)).toBe(before);
        expect((await bank.store.accounts.transactions(ALICE.current)).totalCount).toBe(count);
        expect((await bank.store.consents.get(consentId))?.status).toBe('Authorised');
      };

      it('when the amount differs from the consent', async () => {
        const consentId = await authorisedPaymentConsent();
        const attempt = () =>
          bank.store.payments.submitDomestic({
            clientId: MONEYWISE,
            consentId,
            initiation: initiation({ instructedAmount: { amountMinor: 2_551, currency: 'GBP' } }),
            risk: RISK,
          });
        await unchanged(consentId, attempt, PaymentMismatch);
        await expect(attempt()).rejects.toThrow(/Initiation differs .* at instructedAmount.amountMinor/);
      });

      it('when the creditor, a reference, or an optional field differs', async () => {
        const consentId = await authorisedPaymentConsent();
        for (const changed of [
          initiation({
            creditorAccount: { ...initiation().creditorAccount, identification: '08080021325699' },
          }),
          initiation({ remittanceInformation: { reference: 'INV-2292', unstructured: 'Boiler service' } }),
          initiation({ localInstrument: 'UK.OBIE.FPS' }),
          { ...initiation(), remittanceInformation: undefined },
        ]) {
          await unchanged(
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

      it('when the risk differs', async () => {
        const consentId = await authorisedPaymentConsent();
        const attempt = () =>
          bank.store.payments.submitDomestic({
            clientId: MONEYWISE,
            consentId,
            initiation: initiation(),
            risk: { PaymentContextCode: 'EcommerceGoods' },
          });
        await unchanged(consentId, attempt, /Risk differs .* at PaymentContextCode/);
      });

      it('when another client presents the consent', async () => {
        const consentId = await authorisedPaymentConsent();
        await unchanged(
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

      it('when the funds are not there (booked + overdraft)', async () => {
        const [, available] = await bank.store.accounts.balances(ALICE.current);
        const big = initiation({
          instructedAmount: { amountMinor: available!.amountMinor + 1, currency: 'GBP' },
        });
        const consentId = await authorisedPaymentConsent(big);
        await unchanged(
          consentId,
          () =>
            bank.store.payments.submitDomestic({
              clientId: MONEYWISE,
              consentId,
              initiation: big,
              risk: RISK,
            }),
          InsufficientFunds,
        );
      });

      it('when the consent is not authorised yet', async () => {
        const { consentId } = await bank.store.consents.createDomesticPayment({
          clientId: MONEYWISE,
          initiation: initiation(),
          risk: RISK,
        });
        await expect(
          bank.store.payments.submitDomestic({
            clientId: MONEYWISE,
            consentId,
            initiation: initiation(),
            risk: RISK,
          }),
        ).rejects.toThrow(ConsentStateError);
      });
    });

    it('may use the arranged overdraft to the last penny', async () => {
      const [, available] = await bank.store.accounts.balances(ALICE.current);
      const all = initiation({ instructedAmount: { amountMinor: available!.amountMinor, currency: 'GBP' } });
      const consentId = await authorisedPaymentConsent(all);
      await bank.store.payments.submitDomestic({
        clientId: MONEYWISE,
        consentId,
        initiation: all,
        risk: RISK,
      });
      const [bookedAfter, availableAfter] = await bank.store.accounts.balances(ALICE.current);
      expect(bookedAfter).toMatchObject({ amountMinor: 50_000, creditDebitIndicator: 'Debit' });
      expect(availableAfter).toMatchObject({ amountMinor: 0 });
    });
  });

  describe('a payment from an account to itself (money would vanish: a debit with no credit)', () => {
    const aliceCurrent = async () => {
      const account = (await bank.store.accounts.get(ALICE.current))!.account[0]!;
      return { schemeName: account.schemeName, identification: account.identification, name: 'Alice' };
    };
    const balances = async () => [await booked(ALICE.current), await booked(ALICE.savings)];

    it('is refused when the consent names the same DebtorAccount and CreditorAccount', async () => {
      await expect(
        bank.store.consents.createDomesticPayment({
          clientId: MONEYWISE,
          initiation: initiation({
            debtorAccount: await aliceCurrent(),
            creditorAccount: await aliceCurrent(),
          }),
          risk: RISK,
        }),
      ).rejects.toThrow(PaymentToSameAccount);
    });

    it('is refused when the customer picks the creditor account to pay from, and the consent still awaits', async () => {
      const { consentId } = await bank.store.consents.createDomesticPayment({
        clientId: MONEYWISE,
        initiation: initiation({ creditorAccount: await aliceCurrent() }),
        risk: RISK,
      });
      await expect(
        bank.store.consents.authorise(consentId, {
          customerId: ALICE.customerId,
          accountIds: [ALICE.current],
        }),
      ).rejects.toThrow(/CreditorAccount \d+ is the account the payment is made from/);
      expect((await bank.store.consents.get(consentId))?.status).toBe('AwaitingAuthorisation');
    });

    it('is refused at execution with no balance or transaction changed, even for a consent authorised before the rule', async () => {
      const toOwnCurrent = initiation({ creditorAccount: await aliceCurrent() });
      const consentId = await authorisedPaymentConsent(toOwnCurrent, ALICE.savings);
      // A bank that authorised it before this rule existed: the consent now pays from the creditor account.
      await bank.probe
        .updateTable('consents')
        .set({ account_ids: JSON.stringify([ALICE.current]) })
        .where('consent_id', '=', consentId)
        .execute();
      const before = await balances();
      const transactionsBefore = (await bank.store.accounts.transactions(ALICE.current)).totalCount;

      await expect(
        bank.store.payments.submitDomestic({
          clientId: MONEYWISE,
          consentId,
          initiation: toOwnCurrent,
          risk: RISK,
        }),
      ).rejects.toThrow(PaymentToSameAccount);
      expect(await balances()).toEqual(before);
      expect((await bank.store.accounts.transactions(ALICE.current)).totalCount).toBe(transactionsBefore);
      expect((await bank.store.consents.get(consentId))?.status).toBe('Authorised');
    });
  });
});
