// Domestic payments (UK OB v3.1 Payment Initiation API): a payment executes its authorised consent
// exactly once, atomically — debit the debtor, credit the creditor when it banks here, record the
// payment, consume the consent — or changes nothing.
import { randomUUID } from 'node:crypto';
import { ledger } from './accounts.js';
import { differingPaths } from './canonical.js';
import { consentsRepository } from './consents.js';
import { type BankDb, type DomesticPaymentsTable, type Engine, inTransaction } from './database.js';
import {
  AccountNotOwned,
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

/**
 * A payment under authorization details (RFC 9396) rather than a consent created at the API: the grant
 * is the consent. bank-api has already checked the payment against the granted details (§7).
 */
export interface GrantedPaymentRequest {
  clientId: string;
  /** The grant the token was issued under: one grant, one payment. */
  grantId: string;
  /** The customer who granted it (the token's sub). */
  customerId: string;
  /** The account the customer chose to pay from, as the granted detail names it. */
  debtorAccount: AccountIdentification;
  initiation: DomesticPaymentInitiation;
}

/** The bank's record of a grant's payment, in the consents table (one payment per consent, enforced there). */
export const grantedConsentId = (grantId: string) => `rar-${grantId}`;

export interface Payments {
  /**
   * Executes the payment. Throws ConsentNotFound (unknown or another client's), ConsentStateError
   * (not Authorised, e.g. already Consumed), PaymentMismatch, InsufficientFunds.
   */
  submitDomestic(request: DomesticPaymentRequest): Promise<DomesticPayment>;
  /**
   * Executes the one payment a grant's authorization details allow: recorded as that grant's consent
   * (created Authorised on first use), then executed as any consent is. A second payment under the same
   * grant finds it Consumed (ConsentStateError). Throws AccountNotOwned, InsufficientFunds too.
   */
  submitGranted(request: GrantedPaymentRequest): Promise<DomesticPayment>;
  get(domesticPaymentId: string): Promise<DomesticPayment | undefined>;
  /** The payment if it exists and belongs to this client; a foreign payment is PaymentNotFound. */
  getForClient(domesticPaymentId: string, clientId: string): Promise<DomesticPayment>;
}

type PaymentRow = DomesticPaymentsTable;

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

export function paymentsRepository(db: BankDb, engine: Engine, now: () => Date): Payments {
  const byId = (domesticPaymentId: string) =>
    db
      .selectFrom('domestic_payments')
      .selectAll()
      .where('domestic_payment_id', '=', domesticPaymentId)
      .executeTakeFirst();

  // One transaction: every write below commits together or not at all.
  const submit = async (trx: BankDb, request: DomesticPaymentRequest): Promise<DomesticPayment> => {
    const accounts = ledger(trx, engine);
    const consents = consentsRepository(trx, accounts, now);
    const consent = await consents.requireAuthorised(request.consentId, request.clientId, 'domestic-payment');
    const consented = consent.initiation!;
    // UK OB v3.1 Payment Initiation: Initiation and Risk must match the consent's exactly.
    const initiationDiff = differingPaths(consented, request.initiation);
    if (initiationDiff.length > 0) throw new PaymentMismatch(consent.consentId, 'Initiation', initiationDiff);
    const riskDiff = differingPaths(consent.risk ?? {}, request.risk);
    if (riskDiff.length > 0) throw new PaymentMismatch(consent.consentId, 'Risk', riskDiff);

    // A consent pays once: the conditional update is the claim. A racing payer waits on the row
    // (PostgreSQL) or the write lock (SQLite), then finds it Consumed and changes nothing.
    const at = now().toISOString();
    const consumed = await trx
      .updateTable('consents')
      .set({ status: 'Consumed', status_update_date_time: at })
      .where('consent_id', '=', consent.consentId)
      .where('status', '=', 'Authorised')
      .executeTakeFirst();
    if (Number(consumed.numUpdatedRows) !== 1) {
      const current = await consents.get(consent.consentId);
      throw new ConsentStateError(
        consent.consentId,
        current?.status ?? 'Consumed',
        ['Authorised'],
        'payment',
      );
    }

    const debtorId = consent.accountIds![0]!;
    const creditor = await accounts.byIdentification(
      consented.creditorAccount.schemeName,
      consented.creditorAccount.identification,
    );
    // Balances are read after the lock, so two payments from one account both see the first's debit.
    await accounts.lock(creditor ? [debtorId, creditor.account_id] : [debtorId]);
    const debtor = (await accounts.row(debtorId))!;
    refusePaymentToSameAccount(
      { schemeName: debtor.scheme_name, identification: debtor.identification },
      consented.creditorAccount,
    );
    const amount = consented.instructedAmount.amountMinor;
    const booked = await accounts.bookedBalance(debtorId);
    if (booked + debtor.overdraft_limit_minor < amount) {
      throw new InsufficientFunds(debtorId, booked + debtor.overdraft_limit_minor, amount);
    }

    const reference = consented.remittanceInformation?.reference ?? consented.endToEndIdentification;
    const transfer = {
      transaction_reference: reference,
      amount_minor: amount,
      currency: consented.instructedAmount.currency,
      booking_date_time: at,
      value_date_time: at,
      bank_sub_code: 'DomesticCreditTransfer',
      merchant_name: null,
      merchant_category_code: null,
    };
    const transactionId = `tx-${randomUUID()}`;
    await trx
      .insertInto('transactions')
      .values({
        ...transfer,
        transaction_id: transactionId,
        account_id: debtorId,
        credit_debit: 'Debit',
        information: `PAYMENT TO ${(consented.creditorAccount.name ?? consented.creditorAccount.identification).toUpperCase()}`,
        bank_code: 'IssuedCreditTransfers',
        balance_after_minor: booked - amount,
      })
      .execute();

    // A payee who banks here sees the money arrive in the same transaction.
    if (creditor) {
      await trx
        .insertInto('transactions')
        .values({
          ...transfer,
          transaction_id: `tx-${randomUUID()}`,
          account_id: creditor.account_id,
          credit_debit: 'Credit',
          information: `PAYMENT FROM ${debtor.name.toUpperCase()}`,
          bank_code: 'ReceivedCreditTransfers',
          balance_after_minor: (await accounts.bookedBalance(creditor.account_id)) + amount,
        })
        .execute();
    }

    const payment: PaymentRow = {
      domestic_payment_id: `dp-${randomUUID()}`,
      consent_id: consent.consentId,
      client_id: request.clientId,
      status: 'AcceptedSettlementCompleted',
      creation_date_time: at,
      status_update_date_time: at,
      initiation: JSON.stringify(consented),
      debtor_account_id: debtorId,
      transaction_id: transactionId,
    };
    await trx.insertInto('domestic_payments').values(payment).execute();
    return toPayment(payment);
  };

  const submitGranted = async (trx: BankDb, request: GrantedPaymentRequest): Promise<DomesticPayment> => {
    const { schemeName, identification } = request.debtorAccount;
    const debtor = await ledger(trx, engine).byIdentification(schemeName, identification);
    if (!debtor || debtor.customer_id !== request.customerId) {
      throw new AccountNotOwned(identification, request.customerId);
    }
    const consentId = grantedConsentId(request.grantId);
    const at = now().toISOString();
    // The claim on the grant: a concurrent or later payment under it inserts nothing and finds it Consumed.
    await trx
      .insertInto('consents')
      .values({
        consent_id: consentId,
        kind: 'domestic-payment',
        client_id: request.clientId,
        status: 'Authorised',
        creation_date_time: at,
        status_update_date_time: at,
        permissions: null,
        expiration_date_time: null,
        transaction_from_date_time: null,
        transaction_to_date_time: null,
        initiation: JSON.stringify(request.initiation),
        risk: '{}',
        customer_id: request.customerId,
        account_ids: JSON.stringify([debtor.account_id]),
        revoked_by: null,
      })
      .onConflict((oc) => oc.column('consent_id').doNothing())
      .execute();
    return submit(trx, { clientId: request.clientId, consentId, initiation: request.initiation, risk: {} });
  };

  return {
    submitDomestic: (request) => inTransaction(db, (trx) => submit(trx, request)),
    submitGranted: (request) => inTransaction(db, (trx) => submitGranted(trx, request)),
    async get(domesticPaymentId) {
      const row = await byId(domesticPaymentId);
      return row ? toPayment(row) : undefined;
    },
    async getForClient(domesticPaymentId, clientId) {
      const row = await byId(domesticPaymentId);
      if (!row || row.client_id !== clientId) throw new PaymentNotFound(domesticPaymentId);
      return toPayment(row);
    },
  };
}
