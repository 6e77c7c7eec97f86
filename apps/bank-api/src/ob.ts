// The bank's domain objects in UK OB v3.1 JSON (PascalCase, amounts as decimal strings), and back.
// Which fields appear depends on the consent's permissions (Basic vs Detail).
import {
  type Account,
  type Balance,
  type Consent,
  type DomesticPayment,
  type DomesticPaymentInitiation,
  formatMinorUnits,
  type PaymentRisk,
  type Permission,
  type Transaction,
  toMinorUnits,
} from '@fapi-sandbox/bank-domain';
import type { z } from 'zod';
import type { initiationSchema } from './schemas.js';

export type ObInitiation = z.infer<typeof initiationSchema>;

const amount = (minor: number, currency: string) => ({
  Amount: formatMinorUnits(minor, currency),
  Currency: currency,
});

function obIdentification(a: {
  schemeName: string;
  identification: string;
  name?: string;
  secondaryIdentification?: string;
}) {
  return {
    SchemeName: a.schemeName,
    Identification: a.identification,
    ...(a.name !== undefined ? { Name: a.name } : {}),
    ...(a.secondaryIdentification !== undefined
      ? { SecondaryIdentification: a.secondaryIdentification }
      : {}),
  };
}

function domainIdentification(a: {
  SchemeName: string;
  Identification: string;
  Name?: string | undefined;
  SecondaryIdentification?: string | undefined;
}) {
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

export function toObInitiation(d: DomesticPaymentInitiation) {
  return {
    InstructionIdentification: d.instructionIdentification,
    EndToEndIdentification: d.endToEndIdentification,
    ...(d.localInstrument !== undefined ? { LocalInstrument: d.localInstrument } : {}),
    InstructedAmount: amount(d.instructedAmount.amountMinor, d.instructedAmount.currency),
    ...(d.debtorAccount ? { DebtorAccount: obIdentification(d.debtorAccount) } : {}),
    CreditorAccount: obIdentification(d.creditorAccount),
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

const links = (self: string) => ({ Links: { Self: self }, Meta: { TotalPages: 1 } });

/** OBReadConsentResponse1 */
export function accountAccessConsentResponse(consent: Consent, self: string) {
  return {
    Data: {
      ConsentId: consent.consentId,
      CreationDateTime: consent.creationDateTime,
      Status: consent.status,
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
export function domesticPaymentConsentResponse(consent: Consent, self: string) {
  return {
    Data: {
      ConsentId: consent.consentId,
      CreationDateTime: consent.creationDateTime,
      Status: consent.status,
      StatusUpdateDateTime: consent.statusUpdateDateTime,
      Initiation: toObInitiation(consent.initiation!),
    },
    Risk: (consent.risk ?? {}) as PaymentRisk,
    ...links(self),
  };
}

/** OBWriteFundsConfirmationResponse1 */
export function fundsConfirmationResponse(
  result: { fundsAvailable: boolean; fundsAvailableDateTime: string },
  self: string,
) {
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
export function domesticPaymentResponse(payment: DomesticPayment, self: string) {
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
export function obAccount(account: Account, permissions: readonly Permission[]) {
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

export function accountsResponse(accounts: Account[], permissions: readonly Permission[], self: string) {
  return { Data: { Account: accounts.map((a) => obAccount(a, permissions)) }, ...links(self) };
}

/** OBReadBalance1 */
export function balancesResponse(balances: Balance[], self: string) {
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
export function obTransaction(tx: Transaction, permissions: readonly Permission[]) {
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
