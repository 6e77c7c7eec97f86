// The bank's domain types. Amounts are integer minor units (`amountMinor`); dates are ISO 8601
// strings in UTC (`2025-01-31T09:30:00.000Z`), which also sort correctly as text.
import type { Permission } from './permissions.js';

export interface Customer {
  customerId: string;
  username: string;
  displayName: string;
}

export interface DemoCredential {
  username: string;
  password: string;
  displayName: string;
}

/** UK OB OBCashAccount: how an account is identified to other banks. */
export interface AccountIdentification {
  /** e.g. `UK.OBIE.SortCodeAccountNumber` */
  schemeName: string;
  /** e.g. sort code + account number: `40400412345678` */
  identification: string;
  name?: string;
  secondaryIdentification?: string;
}

/** UK OB OBAccount6-like. */
export interface Account {
  accountId: string;
  status: 'Enabled';
  currency: string;
  accountType: 'Personal' | 'Business';
  accountSubType: 'CurrentAccount' | 'Savings';
  nickname: string;
  openingDate: string;
  account: AccountIdentification[];
}

export interface Balance {
  accountId: string;
  /** UK OB OBBalanceType1Code: booked (settled) and available (booked + arranged overdraft). */
  type: 'InterimBooked' | 'InterimAvailable';
  amountMinor: number;
  currency: string;
  creditDebitIndicator: 'Credit' | 'Debit';
  dateTime: string;
  creditLine: { included: boolean; type: 'Available'; amountMinor: number; currency: string }[];
}

export interface Transaction {
  transactionId: string;
  accountId: string;
  transactionReference?: string;
  /** Always positive; the direction is `creditDebitIndicator`. */
  amountMinor: number;
  currency: string;
  creditDebitIndicator: 'Credit' | 'Debit';
  status: 'Booked';
  bookingDateTime: string;
  valueDateTime: string;
  transactionInformation: string;
  bankTransactionCode: { code: string; subCode: string };
  merchantDetails?: { merchantName: string; merchantCategoryCode: string };
  /** The account's booked balance just after this transaction, signed. */
  balanceAfterMinor: number;
}

export interface TransactionQuery {
  /** Inclusive lower bound on bookingDateTime (ISO 8601). */
  fromBookingDateTime?: string;
  /** Inclusive upper bound on bookingDateTime (ISO 8601). */
  toBookingDateTime?: string;
  /** Only credits or only debits (the consent may grant just one direction). */
  creditDebitIndicator?: 'Credit' | 'Debit';
  /** 1-based. */
  page?: number;
  pageSize?: number;
}

export interface TransactionPage {
  transactions: Transaction[];
  page: number;
  pageSize: number;
  totalPages: number;
  totalCount: number;
}

export interface Money {
  amountMinor: number;
  currency: string;
}

/** UK OB OBDomestic2 Initiation, amounts in minor units. */
export interface DomesticPaymentInitiation {
  instructionIdentification: string;
  endToEndIdentification: string;
  localInstrument?: string;
  instructedAmount: Money;
  debtorAccount?: AccountIdentification;
  creditorAccount: AccountIdentification;
  remittanceInformation?: { unstructured?: string; reference?: string };
}

/** UK OB OBRisk1: opaque to the bank's ledger, but a payment must repeat it exactly. */
export type PaymentRisk = Record<string, unknown>;

export type ConsentKind = 'account-access' | 'domestic-payment';

export type ConsentStatus = 'AwaitingAuthorisation' | 'Authorised' | 'Rejected' | 'Revoked' | 'Consumed';

export interface Consent {
  consentId: string;
  kind: ConsentKind;
  /** The OAuth client (TPP) that created it; only that client may use it. */
  clientId: string;
  status: ConsentStatus;
  creationDateTime: string;
  statusUpdateDateTime: string;
  /** account-access only */
  permissions?: Permission[];
  expirationDateTime?: string;
  transactionFromDateTime?: string;
  transactionToDateTime?: string;
  /** domestic-payment only */
  initiation?: DomesticPaymentInitiation;
  risk?: PaymentRisk;
  /** Set when the customer authorises. For a payment consent, the one debtor account. */
  customerId?: string;
  accountIds?: string[];
  /** Who revoked it, when status is Revoked. */
  revokedBy?: 'tpp' | 'customer';
}

export interface FundsConfirmation {
  fundsAvailable: boolean;
  fundsAvailableDateTime: string;
}

export type DomesticPaymentStatus = 'AcceptedSettlementCompleted';

export interface DomesticPayment {
  domesticPaymentId: string;
  consentId: string;
  clientId: string;
  status: DomesticPaymentStatus;
  creationDateTime: string;
  statusUpdateDateTime: string;
  initiation: DomesticPaymentInitiation;
  debtorAccountId: string;
  transactionId: string;
}
