// Domestic payments (UK OB v3.1 Payment Initiation API): a payment executes its authorised consent
// exactly once, atomically — debit the debtor, credit the creditor when it banks here, record the
// payment, consume the consent — or changes nothing.
import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Ledger } from './accounts.js';
import { differingPaths } from './canonical.js';
import type { Consents } from './consents.js';
import {
  ConsentStateError,
  InsufficientFunds,
  PaymentMismatch,
  PaymentNotFound,
  PaymentToSameAccount,
} from './errors.js';
import type {
  AccountIdentification,
  DomesticPayment,
  DomesticPaymentInitiation,
  PaymentRisk,
} from './types.js';

/**
 * UK OB v3.1 Payment Initiation API: a domestic payment moves money from the debtor's account to the
 * CreditorAccount, so the two must differ (paid to itself, the debit would be booked and the credit
 * lost). Checked when the consent names a DebtorAccount, when the customer picks the account to pay
 * from, and when the payment executes.
 */
export function refusePaymentToSameAccount(
  debtor: AccountIdentification,
  creditor: AccountIdentification,
): void {
  if (debtor.schemeName === creditor.schemeName && debtor.identification === creditor.identification) {
    throw new PaymentToSameAccount(creditor.identification);
  }
}

export interface DomesticPaymentRequest {
  clientId: string;
  consentId: string;
  initiation: DomesticPaymentInitiation;
  risk: PaymentRisk;
}

export interface Payments {
  /**
   * Executes the payment. Throws ConsentNotFound (unknown or another client's), ConsentStateError
   * (not Authorised, e.g. already Consumed), PaymentMismatch, InsufficientFunds.
   */
  submitDomestic(request: DomesticPaymentRequest): DomesticPayment;
  get(domesticPaymentId: string): DomesticPayment | undefined;
  /** The payment if it exists and belongs to this client; a foreign payment is PaymentNotFound. */
  getForClient(domesticPaymentId: string, clientId: string): DomesticPayment;
}

interface PaymentRow {
  domestic_payment_id: string;
  consent_id: string;
  client_id: string;
  status: DomesticPayment['status'];
  creation_date_time: string;
  status_update_date_time: string;
  initiation: string;
  debtor_account_id: string;
  transaction_id: string;
}

const toPayment = (row: PaymentRow): DomesticPayment => ({
  domesticPaymentId: row.domestic_payment_id,
  consentId: row.consent_id,
  clientId: row.client_id,
  status: row.status,
  creationDateTime: row.creation_date_time,
  statusUpdateDateTime: row.status_update_date_time,
  initiation: JSON.parse(row.initiation),
  debtorAccountId: row.debtor_account_id,
  transactionId: row.transaction_id,
});

export function paymentsRepository(
  db: Database.Database,
  ledger: Ledger,
  consents: Consents,
  now: () => Date,
): Payments {
  const byId = db.prepare<[string], PaymentRow>(
    'SELECT * FROM domestic_payments WHERE domestic_payment_id = ?',
  );
  const insertTransaction = db.prepare(
    `INSERT INTO transactions (transaction_id, account_id, transaction_reference, amount_minor, currency,
       credit_debit, booking_date_time, value_date_time, information, bank_code, bank_sub_code, balance_after_minor)
     VALUES (@transactionId, @accountId, @reference, @amount, @currency, @direction, @at, @at, @information,
       @code, 'DomesticCreditTransfer', @balanceAfter)`,
  );
  const insertPayment = db.prepare(
    `INSERT INTO domestic_payments (domestic_payment_id, consent_id, client_id, status, creation_date_time,
       status_update_date_time, initiation, debtor_account_id, transaction_id)
     VALUES (@paymentId, @consentId, @clientId, 'AcceptedSettlementCompleted', @at, @at, @initiation,
       @debtorAccountId, @transactionId)`,
  );
  const consume = db.prepare(
    `UPDATE consents SET status = 'Consumed', status_update_date_time = @at
     WHERE consent_id = @consentId AND status = 'Authorised'`,
  );

  const submit = db.transaction((request: DomesticPaymentRequest): DomesticPayment => {
    const consent = consents.requireAuthorised(request.consentId, request.clientId, 'domestic-payment');
    const consented = consent.initiation!;
    // UK OB v3.1 Payment Initiation: Initiation and Risk must match the consent's exactly.
    const initiationDiff = differingPaths(consented, request.initiation);
    if (initiationDiff.length > 0) throw new PaymentMismatch(consent.consentId, 'Initiation', initiationDiff);
    const riskDiff = differingPaths(consent.risk ?? {}, request.risk);
    if (riskDiff.length > 0) throw new PaymentMismatch(consent.consentId, 'Risk', riskDiff);

    const debtorId = consent.accountIds![0]!;
    const debtor = ledger.row(debtorId)!;
    refusePaymentToSameAccount(
      { schemeName: debtor.scheme_name, identification: debtor.identification },
      consented.creditorAccount,
    );
    const amount = consented.instructedAmount.amountMinor;
    const booked = ledger.bookedBalance(debtorId);
    if (booked + debtor.overdraft_limit_minor < amount) {
      throw new InsufficientFunds(debtorId, booked + debtor.overdraft_limit_minor, amount);
    }

    const at = now().toISOString();
    const reference = consented.remittanceInformation?.reference ?? consented.endToEndIdentification;
    const transactionId = `tx-${randomUUID()}`;
    insertTransaction.run({
      transactionId,
      accountId: debtorId,
      reference,
      amount,
      currency: consented.instructedAmount.currency,
      direction: 'Debit',
      at,
      information: `PAYMENT TO ${(consented.creditorAccount.name ?? consented.creditorAccount.identification).toUpperCase()}`,
      code: 'IssuedCreditTransfers',
      balanceAfter: booked - amount,
    });

    // A payee who banks here sees the money arrive in the same transaction.
    const creditor = ledger.byIdentification(
      consented.creditorAccount.schemeName,
      consented.creditorAccount.identification,
    );
    if (creditor) {
      insertTransaction.run({
        transactionId: `tx-${randomUUID()}`,
        accountId: creditor.account_id,
        reference,
        amount,
        currency: consented.instructedAmount.currency,
        direction: 'Credit',
        at,
        information: `PAYMENT FROM ${debtor.name.toUpperCase()}`,
        code: 'ReceivedCreditTransfers',
        balanceAfter: ledger.bookedBalance(creditor.account_id) + amount,
      });
    }

    const paymentId = `dp-${randomUUID()}`;
    insertPayment.run({
      paymentId,
      consentId: consent.consentId,
      clientId: request.clientId,
      at,
      initiation: JSON.stringify(consented),
      debtorAccountId: debtorId,
      transactionId,
    });
    if (consume.run({ consentId: consent.consentId, at }).changes !== 1) {
      throw new ConsentStateError(consent.consentId, 'Consumed', ['Authorised'], 'payment');
    }
    return toPayment(byId.get(paymentId)!);
  });

  return {
    // IMMEDIATE: take the write lock before reading the consent, so two processes cannot both see it Authorised.
    submitDomestic: (request) => submit.immediate(request),
    get(domesticPaymentId) {
      const row = byId.get(domesticPaymentId);
      return row ? toPayment(row) : undefined;
    },
    getForClient(domesticPaymentId, clientId) {
      const row = byId.get(domesticPaymentId);
      if (!row || row.client_id !== clientId) throw new PaymentNotFound(domesticPaymentId);
      return toPayment(row);
    },
  };
}
