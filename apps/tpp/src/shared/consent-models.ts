// Two ways a customer's approval of a payment or of account access reaches the bank, side by side: a UK OB
// intent (a consent Moneywise creates at the bank API, then names in the authorization request) and a rich
// authorization request (RFC 9396: the payment or the access itself in the pushed request's
// authorization_details). Shown in the inspector of a connection that made a payment or connected by RAR.

import type { AccountAction } from './api.js';

/** RFC 9396 §2.2: what each account_information action lets Moneywise read (bank-api refuses the others). */
export const ACCOUNT_ACTION_TEXT: Readonly<Record<AccountAction, string>> = {
  list_accounts: 'list the accounts',
  read_balances: 'read their balances',
  read_transactions: 'read their transactions',
};

export interface ConsentModelRow {
  aspect: string;
  intent: string;
  intentClause: string;
  details: string;
  detailsClause: string;
}

export const CONSENT_MODELS: readonly ConsentModelRow[] = [
  {
    aspect: 'Where the consent lives',
    intent: 'At the bank API, as a resource with its own id (ConsentId) and status',
    intentClause: 'UK OB Payment Initiation API v3.1, Account and Transaction API v3.1',
    details: 'In the pushed authorization request, then in the grant the customer approved at the bank',
    detailsClause: 'RFC 9396 §2',
  },
  {
    aspect: 'Who creates it, and when',
    intent:
      'Moneywise, before the customer is asked: POST /domestic-payment-consents with a client-credentials token',
    intentClause: 'UK OB Payment Initiation API v3.1',
    details:
      'Moneywise writes it into the PAR; the bank checks it against the types it supports before answering',
    detailsClause: 'RFC 9396 §5',
  },
  {
    aspect: 'What the customer sees',
    intent: 'The consent the bank looks up by the id in the claims parameter (openbanking_intent_id)',
    intentClause: 'UK OB Security Profile',
    details: 'The details themselves, read from the request; the account the customer picks is added to them',
    detailsClause: 'RFC 9396 §7',
  },
  {
    aspect: 'What the token proves',
    intent: 'openbanking_intent_id: a reference the bank API looks up on every call',
    intentClause: 'FAPI 1.0 Part 1 §6.2.1-6',
    details:
      'authorization_details: the granted payment itself; the bank API pays only a payment that repeats it',
    detailsClause: 'RFC 9396 §7',
  },
  {
    aspect: 'Account access: what Moneywise asks for',
    intent:
      'POST /account-access-consents with Permissions (ReadAccountsDetail, ReadBalances, ReadTransactionsDetail…)',
    intentClause: 'UK OB Account and Transaction API v3.1',
    details:
      'account_information with actions (list_accounts, read_balances, read_transactions) and scope openid accounts',
    detailsClause: 'RFC 9396 §2.2, §3.1',
  },
  {
    aspect: 'Account access: what the bank API answers',
    intent: 'The permissions and accounts of the consent it looks up by the token’s intent id',
    intentClause: 'UK OB Account and Transaction API v3.1 §Permissions',
    details:
      'Only the granted actions on the accounts the customer chose, read from the token; any other read is refused (403)',
    detailsClause: 'RFC 9396 §7',
  },
];
