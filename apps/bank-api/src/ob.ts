// The bank's domain objects in UK OB v3.1 JSON (PascalCase, amounts as decimal strings), and back.
// Which fields appear depends on the consent's permissions (Basic vs Detail). Every shape is the OpenAPI
// document's (types generated from it), so a field renamed there fails the typecheck here.
import {
  type Account,
  type AccountIdentification,
  type Balance,
  type Consent,
  type ConsentStatus,
  type DomesticPayment,
  type DomesticPaymentInitiation,
  formatMinorUnits,
  type Permission,
  type Transaction,
  toMinorUnits,
} from '@fapi-sandbox/bank-domain';
import type { components } from './openapi/generated.js';

type Schemas = components['schemas'];
export type ObInitiation = Schemas['OBDomestic2Initiation'];
type ObIdentification = Schemas['OBCashAccountDebtor4'];

const amount = (minor: number, currency: string): Schemas['ActiveOrHistoricCurrencyAndAmount'] => ({
  Amount: formatMinorUnits(minor, currency),
  Currency: currency,
});

function obIdentification(a: AccountIdentification): ObIdentification {
  return {
    // Stored as sent (validated against this schema on the way in) or seeded by the bank.
    SchemeName: a.schemeName as ObIdentification['SchemeName'],
    Identification: a.identification,
    ...(a.name !== undefined ? { Name: a.name } : {}),
    ...(a.secondaryIdentification !== undefined
      ? { SecondaryIdentification: a.secondaryIdentification }
      : {}),
  };
}

function domainIdentification(a: ObIdentification): AccountIdentification {
  return {
    schemeName: a.SchemeName,
    identification: a.Identification,
    ...(a.Name !== undefined ? { name: a.Name } : {}),
    ...(a.SecondaryIdentification !== undefined
      ? { secondaryIdentification: a.SecondaryIdentification }
      : {}),
  };
}

/** OB Initiation → domain (amount in minor units; throws InvalidAmount). */
export function toDomainInitiation(ob: ObInitiation): DomesticPaymentInitiation {
  return {
    instructionIdentification: ob.InstructionIdentification,
    endToEndIdentification: ob.EndToEndIdentification,
    ...(ob.LocalInstrument !== undefined ? { localInstrument: ob.LocalInstrument } : {}),
    instructedAmount: {
      amountMinor: toMinorUnits(ob.InstructedAmount.Amount, ob.InstructedAmount.Currency),
      currency: ob.InstructedAmount.Currency,
    },
    ...(ob.DebtorAccount ? { debtorAccount: domainIdentification(ob.DebtorAccount) } : {}),
    creditorAccount: domainIdentification(ob.CreditorAccount),
    ...(ob.RemittanceInformation
      ? {
          remittanceInformation: {
            ...(ob.RemittanceInformation.Unstructured !== undefined
              ? { unstructured: ob.RemittanceInformation.Unstructured }
              : {}),
            ...(ob.RemittanceInformation.Reference !== undefined
              ? { reference: ob.RemittanceInformation.Reference }
              : {}),
          },
        }
      : {}),
  };
}

export function toObInitiation(d: DomesticPaymentInitiation): ObInitiation {
  return {
    InstructionIdentification: d.instructionIdentification,
    EndToEndIdentification: d.endToEndIdentification,
    ...(d.localInstrument !== undefined
      ? { LocalInstrument: d.localInstrument as ObInitiation['LocalInstrument'] }
      : {}),
    InstructedAmount: amount(d.instructedAmount.amountMinor, d.instructedAmount.currency),
    ...(d.debtorAccount ? { DebtorAccount: obIdentification(d.debtorAccount) } : {}),
    // OBCashAccountCreditor3 requires the Name; the consent request that stored it carried one.
    CreditorAccount: { ...obIdentification(d.creditorAccount), Name: d.creditorAccount.name! },
    ...(d.remittanceInformation
      ? {
          RemittanceInformation: {
            ...(d.remittanceInformation.unstructured !== undefined
              ? { Unstructured: d.remittanceInformation.unstructured }
              : {}),
            ...(d.remittanceInformation.reference !== undefined
              ? { Reference: d.remittanceInformation.reference }
              : {}),
          },
        }
      : {}),
  };
}

const links = (self: string): { Links: Schemas['Links']; Meta: Schemas['Meta'] } => ({
  Links: { Self: self },
  Meta: { TotalPages: 1 },
});

/** A status the document has no code for is a bug in the bank, not something to send. */
function statusIn<Allowed extends ConsentStatus>(
  status: ConsentStatus,
  allowed: readonly Allowed[],
  what: string,
): Allowed {
  if (!(allowed as readonly ConsentStatus[]).includes(status))
    throw new Error(`a ${what} is never ${status}; the OpenAPI document has no such status`);
  return status as Allowed;
}

/** UK OB v3.1 account-access consent statuses (OBExternalRequestStatus1Code). */
const ACCOUNT_ACCESS_STATUSES = ['Authorised', 'AwaitingAuthorisation', 'Rejected', 'Revoked'] as const;
/** UK OB v3.1 payment consent statuses (OBExternalConsentStatus1Code), plus the customer's withdrawal. */
const PAYMENT_CONSENT_STATUSES = [
  'Authorised',
  'AwaitingAuthorisation',
  'Consumed',
  'Rejected',
  'Revoked',
] as const;

/** OBReadConsentResponse1 */
export function accountAccessConsentResponse(
  consent: Consent,
  self: string,
): Schemas['OBReadConsentResponse1'] {
  return {
    Data: {
      ConsentId: consent.consentId,
      CreationDateTime: consent.creationDateTime,
      Status: statusIn(consent.status, ACCOUNT_ACCESS_STATUSES, 'account-access consent'),
      StatusUpdateDateTime: consent.statusUpdateDateTime,
      Permissions: consent.permissions ?? [],
      ...(consent.expirationDateTime ? { ExpirationDateTime: consent.expirationDateTime } : {}),
      ...(consent.transactionFromDateTime
        ? { TransactionFromDateTime: consent.transactionFromDateTime }
        : {}),
      ...(consent.transactionToDateTime ? { TransactionToDateTime: consent.transactionToDateTime } : {}),
    },
    Risk: {},
    ...links(self),
  };
}

/** OBWriteDomesticConsentResponse5 */
export function domesticPaymentConsentResponse(
  consent: Consent,
  self: string,
): Schemas['OBWriteDomesticConsentResponse5'] {
  return {
    Data: {
      ConsentId: consent.consentId,
      CreationDateTime: consent.creationDateTime,
      Status: statusIn(consent.status, PAYMENT_CONSENT_STATUSES, 'domestic-payment consent'),
      StatusUpdateDateTime: consent.statusUpdateDateTime,
      Initiation: toObInitiation(consent.initiation!),
    },
    // Stored as the TPP sent it, after it was validated against OBRisk1.
    Risk: (consent.risk ?? {}) as Schemas['OBRisk1'],
    ...links(self),
  };
}

/** OBWriteFundsConfirmationResponse1 */
export function fundsConfirmationResponse(
  result: { fundsAvailable: boolean; fundsAvailableDateTime: string },
  self: string,
): Schemas['OBWriteFundsConfirmationResponse1'] {
  return {
    Data: {
      FundsAvailableResult: {
        FundsAvailableDateTime: result.fundsAvailableDateTime,
        FundsAvailable: result.fundsAvailable,
      },
    },
    ...links(self),
  };
}

/** OBWriteDomesticResponse5 */
export function domesticPaymentResponse(
  payment: DomesticPayment,
  self: string,
): Schemas['OBWriteDomesticResponse5'] {
  return {
    Data: {
      DomesticPaymentId: payment.domesticPaymentId,
      ConsentId: payment.consentId,
      CreationDateTime: payment.creationDateTime,
      Status: payment.status,
      StatusUpdateDateTime: payment.statusUpdateDateTime,
      Initiation: toObInitiation(payment.initiation),
    },
    ...links(self),
  };
}

/** OBAccount6: ReadAccountsDetail adds the account identification (sort code and number). */
export function obAccount(account: Account, permissions: readonly Permission[]): Schemas['OBAccount6'] {
  return {
    AccountId: account.accountId,
    Status: account.status,
    Currency: account.currency,
    AccountType: account.accountType,
    AccountSubType: account.accountSubType,
    Nickname: account.nickname,
    OpeningDate: `${account.openingDate}T00:00:00Z`,
    ...(permissions.includes('ReadAccountsDetail') ? { Account: account.account.map(obIdentification) } : {}),
  };
}

export function accountsResponse(
  accounts: Account[],
  permissions: readonly Permission[],
  self: string,
): Schemas['OBReadAccount6'] {
  return { Data: { Account: accounts.map((a) => obAccount(a, permissions)) }, ...links(self) };
}

/** OBReadBalance1 */
export function balancesResponse(balances: Balance[], self: string): Schemas['OBReadBalance1'] {
  return {
    Data: {
      Balance: balances.map((b) => ({
        AccountId: b.accountId,
        Amount: amount(b.amountMinor, b.currency),
        CreditDebitIndicator: b.creditDebitIndicator,
        Type: b.type,
        DateTime: b.dateTime,
        ...(b.creditLine.length > 0
          ? {
              CreditLine: b.creditLine.map((line) => ({
                Included: line.included,
                Type: line.type,
                Amount: amount(line.amountMinor, line.currency),
              })),
            }
          : {}),
      })),
    },
    ...links(self),
  };
}

/** OBTransaction6: ReadTransactionsDetail adds the narrative, running balance and merchant. */
export function obTransaction(
  tx: Transaction,
  permissions: readonly Permission[],
): Schemas['OBTransaction6'] {
  const detail = permissions.includes('ReadTransactionsDetail');
  return {
    AccountId: tx.accountId,
    TransactionId: tx.transactionId,
    ...(tx.transactionReference ? { TransactionReference: tx.transactionReference } : {}),
    Amount: amount(tx.amountMinor, tx.currency),
    CreditDebitIndicator: tx.creditDebitIndicator,
    Status: tx.status,
    BookingDateTime: tx.bookingDateTime,
    ValueDateTime: tx.valueDateTime,
    BankTransactionCode: { Code: tx.bankTransactionCode.code, SubCode: tx.bankTransactionCode.subCode },
    ...(detail
      ? {
          TransactionInformation: tx.transactionInformation,
          Balance: {
            Amount: amount(tx.balanceAfterMinor, tx.currency),
            CreditDebitIndicator: tx.balanceAfterMinor >= 0 ? 'Credit' : 'Debit',
            Type: 'InterimBooked',
          },
          ...(tx.merchantDetails
            ? {
                MerchantDetails: {
                  MerchantName: tx.merchantDetails.merchantName,
                  MerchantCategoryCode: tx.merchantDetails.merchantCategoryCode,
                },
              }
            : {}),
        }
      : {}),
  };
}
