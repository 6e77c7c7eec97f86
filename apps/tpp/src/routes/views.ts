// UK Open Banking resources as the React app shows them (names it can render, nothing else).
import type { ObAccount, ObBalance, ObTransaction } from '../bank-api/client.js';
import { CLIENT_AUTH_METHODS, PROFILES } from '../connect/profiles.js';
import type {
  AccountView,
  BalanceView,
  ClientAuthView,
  ProfileView,
  TransactionView,
} from '../shared/api.js';

export function accountView(account: ObAccount): AccountView {
  return {
    accountId: account.AccountId,
    nickname: account.Nickname,
    currency: account.Currency,
    accountType: account.AccountType,
    accountSubType: account.AccountSubType,
    identification: account.Account?.map((a) => ({
      schemeName: a.SchemeName,
      identification: a.Identification,
      name: a.Name,
    })),
  };
}

export function balanceView(balance: ObBalance): BalanceView {
  return {
    type: balance.Type,
    amount: balance.Amount.Amount,
    currency: balance.Amount.Currency,
    creditDebitIndicator: balance.CreditDebitIndicator,
    dateTime: balance.DateTime,
  };
}

export function transactionView(transaction: ObTransaction, index: number): TransactionView {
  return {
    transactionId: transaction.TransactionId ?? `${transaction.BookingDateTime}-${index}`,
    reference: transaction.TransactionReference,
    amount: transaction.Amount.Amount,
    currency: transaction.Amount.Currency,
    creditDebitIndicator: transaction.CreditDebitIndicator,
    status: transaction.Status,
    bookingDateTime: transaction.BookingDateTime,
    description: transaction.TransactionInformation,
  };
}

export function profileViews(): ProfileView[] {
  return Object.values(PROFILES).map((p) => ({
    id: p.id,
    title: p.title,
    summary: p.summary,
    senderConstraint: p.senderConstraint,
    jarm: p.jarm,
    rules: p.rules,
  }));
}

export function clientAuthViews(): ClientAuthView[] {
  return Object.entries(CLIENT_AUTH_METHODS).map(([id, m]) => ({ id: id as ClientAuthView['id'], ...m }));
}
