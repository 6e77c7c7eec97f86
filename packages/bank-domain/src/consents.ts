// Consents (UK OB v3.1 "intents"): the TPP creates one at bank-api, the customer authorises or rejects
// it at bank-op, bank-api checks it on every call, and the TPP or the customer can revoke it.
import { randomUUID } from 'node:crypto';
import type { Ledger } from './accounts.js';
import type { BankDb, ConsentsTable } from './database.js';
import {
  AccountNotFound,
  AccountNotOwned,
  ConsentExpired,
  ConsentNotFound,
  ConsentStateError,
  InvalidConsentRequest,
} from './errors.js';
import { refusePaymentToSameAccount } from './payments.js';
import { validatePermissions } from './permissions.js';
import { preparedQuery } from './prepared-query.js';
import type {
  Consent,
  ConsentKind,
  ConsentStatus,
  DomesticPaymentInitiation,
  FundsConfirmation,
  PaymentRisk,
} from './types.js';

export interface AccountAccessConsentRequest {
  clientId: string;
  /** UK OB permission codes; validated (see permissions.ts). */
  permissions: readonly string[];
  expirationDateTime?: string;
  transactionFromDateTime?: string;
  transactionToDateTime?: string;
}

export interface DomesticPaymentConsentRequest {
  clientId: string;
  initiation: DomesticPaymentInitiation;
  risk: PaymentRisk;
}

export interface AuthorisationDecision {
  customerId: string;
  /** Accounts the customer shares (account access) or pays from (exactly one, for a payment). */
  accountIds: string[];
}

export type Revocation = { by: 'tpp'; clientId: string } | { by: 'customer'; customerId: string };

export interface Consents {
  get(consentId: string): Promise<Consent | undefined>;
  /** The consent if it exists and belongs to this client; a foreign consent is ConsentNotFound (no oracle). */
  getForClient(consentId: string, clientId: string, kind?: ConsentKind): Promise<Consent>;
  listForCustomer(customerId: string): Promise<Consent[]>;
  createAccountAccess(request: AccountAccessConsentRequest): Promise<Consent>;
  createDomesticPayment(request: DomesticPaymentConsentRequest): Promise<Consent>;
  /** AwaitingAuthorisation → Authorised; the accounts must be the customer's. */
  authorise(consentId: string, decision: AuthorisationDecision): Promise<Consent>;
  /** AwaitingAuthorisation → Rejected. */
  reject(consentId: string): Promise<Consent>;
  /** → Revoked, by the TPP that owns it (account access) or the customer who authorised it. */
  revoke(consentId: string, revocation: Revocation): Promise<Consent>;
  /**
   * The consent a resource call runs under: this client's, of this kind, Authorised and unexpired.
   * Throws ConsentNotFound, ConsentStateError or ConsentExpired.
   */
  requireAuthorised(consentId: string, clientId: string, kind: ConsentKind): Promise<Consent>;
  /** UK OB funds confirmation: does the authorised debtor account hold the instructed amount? */
  confirmFunds(consentId: string, clientId: string): Promise<FundsConfirmation>;
}

type ConsentRow = ConsentsTable;

function toConsent(row: ConsentRow): Consent {
  return {
    consentId: row.consent_id,
    kind: row.kind,
    clientId: row.client_id,
    status: row.status,
    creationDateTime: row.creation_date_time,
    statusUpdateDateTime: row.status_update_date_time,
    ...(row.permissions ? { permissions: JSON.parse(row.permissions) } : {}),
    ...(row.expiration_date_time ? { expirationDateTime: row.expiration_date_time } : {}),
    ...(row.transaction_from_date_time ? { transactionFromDateTime: row.transaction_from_date_time } : {}),
    ...(row.transaction_to_date_time ? { transactionToDateTime: row.transaction_to_date_time } : {}),
    ...(row.initiation ? { initiation: JSON.parse(row.initiation) } : {}),
    ...(row.risk ? { risk: JSON.parse(row.risk) } : {}),
    ...(row.customer_id ? { customerId: row.customer_id } : {}),
    ...(row.account_ids ? { accountIds: JSON.parse(row.account_ids) } : {}),
    ...(row.revoked_by ? { revokedBy: row.revoked_by } : {}),
  };
}

function isoDate(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new InvalidConsentRequest(`${field} is not an ISO 8601 date-time`, field);
  return new Date(time).toISOString();
}

const SORT_CODE_ACCOUNT_NUMBER = /^\d{14}$/;

function validateInitiation(initiation: DomesticPaymentInitiation): void {
  const { instructedAmount, creditorAccount, debtorAccount } = initiation;
  if (!initiation.instructionIdentification || !initiation.endToEndIdentification) {
    throw new InvalidConsentRequest(
      'InstructionIdentification and EndToEndIdentification are required',
      'Initiation.InstructionIdentification',
    );
  }
  if (!Number.isSafeInteger(instructedAmount.amountMinor) || instructedAmount.amountMinor <= 0) {
    throw new InvalidConsentRequest(
      'InstructedAmount must be greater than zero',
      'Initiation.InstructedAmount',
    );
  }
  // Every account at this bank is held in GBP; a domestic payment from it is in GBP too.
  if (instructedAmount.currency !== 'GBP') {
    throw new InvalidConsentRequest(
      `InstructedAmount.Currency ${instructedAmount.currency} is not supported for domestic payments (GBP only)`,
      'Initiation.InstructedAmount.Currency',
    );
  }
  for (const [field, account] of [
    ['CreditorAccount', creditorAccount],
    ['DebtorAccount', debtorAccount],
  ] as const) {
    if (!account) continue;
    if (
      account.schemeName === 'UK.OBIE.SortCodeAccountNumber' &&
      !SORT_CODE_ACCOUNT_NUMBER.test(account.identification)
    ) {
      throw new InvalidConsentRequest(
        `${field}.Identification must be a 6-digit sort code followed by an 8-digit account number`,
        `Initiation.${field}.Identification`,
      );
    }
  }
  if (!creditorAccount.name) {
    throw new InvalidConsentRequest('CreditorAccount.Name is required', 'Initiation.CreditorAccount.Name');
  }
  if (debtorAccount) refusePaymentToSameAccount(debtorAccount, creditorAccount);
}

const consentById = preparedQuery((db: BankDb, consentId: string) =>
  db.selectFrom('consents').selectAll().where('consent_id', '=', consentId),
);

export function consentsRepository(db: BankDb, ledger: Ledger, now: () => Date): Consents {
  const byId = async (consentId: string) => (await consentById(db, consentId))[0];

  const require = async (consentId: string): Promise<Consent> => {
    const row = await byId(consentId);
    if (!row) throw new ConsentNotFound(consentId);
    return toConsent(row);
  };

  const insert = async (
    values: Omit<
      ConsentRow,
      'status' | 'status_update_date_time' | 'customer_id' | 'account_ids' | 'revoked_by'
    >,
  ) => {
    await db
      .insertInto('consents')
      .values({
        ...values,
        status: 'AwaitingAuthorisation',
        status_update_date_time: values.creation_date_time,
      })
      .execute();
    return require(values.consent_id);
  };

  /** Moves a consent between statuses; the WHERE on the old status makes a racing writer lose cleanly. */
  const transition = async (
    consent: Consent,
    to: ConsentStatus,
    allowedFrom: readonly ConsentStatus[],
    operation: string,
    extra: { customerId?: string; accountIds?: string[]; revokedBy?: 'tpp' | 'customer' } = {},
  ): Promise<Consent> => {
    if (!allowedFrom.includes(consent.status)) {
      throw new ConsentStateError(consent.consentId, consent.status, allowedFrom, operation);
    }
    const changed = await db
      .updateTable('consents')
      .set({
        status: to,
        status_update_date_time: now().toISOString(),
        ...(extra.customerId ? { customer_id: extra.customerId } : {}),
        ...(extra.accountIds ? { account_ids: JSON.stringify(extra.accountIds) } : {}),
        revoked_by: extra.revokedBy ?? null,
      })
      .where('consent_id', '=', consent.consentId)
      .where('status', '=', consent.status)
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) !== 1) {
      const current = await require(consent.consentId);
      throw new ConsentStateError(consent.consentId, current.status, allowedFrom, operation);
    }
    return require(consent.consentId);
  };

  const getForClient = async (consentId: string, clientId: string, kind?: ConsentKind): Promise<Consent> => {
    const consent = await require(consentId);
    if (consent.clientId !== clientId || (kind && consent.kind !== kind))
      throw new ConsentNotFound(consentId);
    return consent;
  };

  const requireAuthorised = async (
    consentId: string,
    clientId: string,
    kind: ConsentKind,
  ): Promise<Consent> => {
    const consent = await getForClient(consentId, clientId, kind);
    if (consent.status !== 'Authorised') {
      throw new ConsentStateError(consentId, consent.status, ['Authorised'], 'access');
    }
    if (consent.expirationDateTime && consent.expirationDateTime <= now().toISOString()) {
      throw new ConsentExpired(consentId, consent.expirationDateTime);
    }
    return consent;
  };

  const authorise = async (consentId: string, decision: AuthorisationDecision): Promise<Consent> => {
    const consent = await require(consentId);
    if (consent.status === 'AwaitingAuthorisation' && consent.expirationDateTime) {
      if (consent.expirationDateTime <= now().toISOString()) {
        throw new ConsentExpired(consentId, consent.expirationDateTime);
      }
    }
    const accountIds = [...new Set(decision.accountIds)];
    if (accountIds.length === 0) {
      throw new InvalidConsentRequest('The customer must choose at least one account', 'accountIds');
    }
    if (consent.kind === 'domestic-payment' && accountIds.length !== 1) {
      throw new InvalidConsentRequest('A payment is made from exactly one account', 'accountIds');
    }
    const accounts = [];
    for (const accountId of accountIds) {
      const account = await ledger.row(accountId);
      if (!account) throw new AccountNotFound(accountId);
      if (account.customer_id !== decision.customerId)
        throw new AccountNotOwned(accountId, decision.customerId);
      accounts.push(account);
    }
    const chosen = accounts[0]!;
    if (consent.initiation) {
      refusePaymentToSameAccount(
        { schemeName: chosen.scheme_name, identification: chosen.identification },
        consent.initiation.creditorAccount,
      );
    }
    const debtor = consent.initiation?.debtorAccount;
    // The TPP named the account to pay from; the customer cannot pick another.
    if (
      debtor &&
      (chosen.scheme_name !== debtor.schemeName || chosen.identification !== debtor.identification)
    ) {
      throw new InvalidConsentRequest(
        'The payment consent names a DebtorAccount; the customer must pay from that account',
        'accountIds',
      );
    }
    return transition(consent, 'Authorised', ['AwaitingAuthorisation'], 'authorise', {
      customerId: decision.customerId,
      accountIds,
    });
  };

  return {
    async get(consentId) {
      const row = await byId(consentId);
      return row ? toConsent(row) : undefined;
    },
    getForClient,
    async listForCustomer(customerId) {
      const rows = await db
        .selectFrom('consents')
        .selectAll()
        .where('customer_id', '=', customerId)
        .orderBy('creation_date_time', 'desc')
        .execute();
      return rows.map(toConsent);
    },

    async createAccountAccess(request) {
      const permissions = validatePermissions(request.permissions);
      const at = now().toISOString();
      const expiration = isoDate(request.expirationDateTime, 'ExpirationDateTime');
      const from = isoDate(request.transactionFromDateTime, 'TransactionFromDateTime');
      const to = isoDate(request.transactionToDateTime, 'TransactionToDateTime');
      if (expiration && expiration <= at) {
        throw new InvalidConsentRequest('ExpirationDateTime is in the past', 'ExpirationDateTime');
      }
      if (from && to && from > to) {
        throw new InvalidConsentRequest(
          'TransactionFromDateTime is after TransactionToDateTime',
          'TransactionFromDateTime',
        );
      }
      return insert({
        consent_id: `aac-${randomUUID()}`,
        kind: 'account-access',
        client_id: request.clientId,
        creation_date_time: at,
        permissions: JSON.stringify(permissions),
        expiration_date_time: expiration ?? null,
        transaction_from_date_time: from ?? null,
        transaction_to_date_time: to ?? null,
        initiation: null,
        risk: null,
      });
    },

    async createDomesticPayment(request) {
      validateInitiation(request.initiation);
      return insert({
        consent_id: `pdc-${randomUUID()}`,
        kind: 'domestic-payment',
        client_id: request.clientId,
        creation_date_time: now().toISOString(),
        permissions: null,
        expiration_date_time: null,
        transaction_from_date_time: null,
        transaction_to_date_time: null,
        initiation: JSON.stringify(request.initiation),
        risk: JSON.stringify(request.risk),
      });
    },

    // No transaction needed: accounts do not change hands, and the status change is conditional.
    authorise,

    async reject(consentId) {
      return transition(await require(consentId), 'Rejected', ['AwaitingAuthorisation'], 'reject');
    },

    async revoke(consentId, revocation) {
      if (revocation.by === 'tpp') {
        // UK OB v3.1: the TPP deletes an account-access consent; payment consents are not deletable.
        const consent = await getForClient(consentId, revocation.clientId, 'account-access');
        return transition(consent, 'Revoked', ['AwaitingAuthorisation', 'Authorised'], 'revoke', {
          revokedBy: 'tpp',
        });
      }
      const consent = await require(consentId);
      if (consent.customerId !== revocation.customerId) throw new ConsentNotFound(consentId);
      return transition(consent, 'Revoked', ['Authorised'], 'revoke', { revokedBy: 'customer' });
    },

    requireAuthorised,

    async confirmFunds(consentId, clientId) {
      const consent = await requireAuthorised(consentId, clientId, 'domestic-payment');
      const debtorId = consent.accountIds![0]!;
      const account = (await ledger.row(debtorId))!;
      const available = (await ledger.bookedBalance(debtorId)) + account.overdraft_limit_minor;
      return {
        fundsAvailable: available >= consent.initiation!.instructedAmount.amountMinor,
        fundsAvailableDateTime: now().toISOString(),
      };
    },
  };
}
