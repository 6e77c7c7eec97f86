// UK OB Account and Transaction API v3.1: the customer's accounts, an account's balances and its
// transactions, read with the connection's access token (the consent's permissions decide what is shown).
import type { BoundClient } from '../connect/bound-client.js';
import type { StepKind } from '../trace/steps.js';
import { type ApiCall, type ApiContext, dataMember, type TokenSource } from './api-call.js';
import type { ObAccount, ObBalance, ObTransaction } from './ob-types.js';

export interface AccountReadCalls {
  accounts(client: BoundClient, tokens: TokenSource, context: ApiContext): Promise<ObAccount[]>;
  balances(
    client: BoundClient,
    tokens: TokenSource,
    accountId: string,
    context: ApiContext,
  ): Promise<ObBalance[]>;
  transactions(
    client: BoundClient,
    tokens: TokenSource,
    accountId: string,
    context: ApiContext,
  ): Promise<ObTransaction[]>;
}

export function accountReadCalls(api: ApiCall): AccountReadCalls {
  /** One GET whose answer is the Data member `member` (e.g. Data.Account). */
  async function read<T>(
    client: BoundClient,
    tokens: TokenSource,
    what: { step: StepKind; title: string; path: string; member: string },
    context: ApiContext,
  ): Promise<T> {
    const response = await api.ok(
      client,
      tokens,
      { step: what.step, method: 'GET', path: what.path },
      context,
    );
    return dataMember<T>(response, what.member, what.title);
  }
  const accountPath = (accountId: string) => `/aisp/accounts/${encodeURIComponent(accountId)}`;

  return {
    accounts: (client, tokens, context) =>
      read(
        client,
        tokens,
        { step: 'accounts', title: 'Read accounts', path: '/aisp/accounts', member: 'Account' },
        context,
      ),
    balances: (client, tokens, accountId, context) =>
      read(
        client,
        tokens,
        {
          step: 'balances',
          title: 'Read balances',
          path: `${accountPath(accountId)}/balances`,
          member: 'Balance',
        },
        context,
      ),
    transactions: (client, tokens, accountId, context) =>
      read(
        client,
        tokens,
        {
          step: 'transactions',
          title: 'Read transactions',
          path: `${accountPath(accountId)}/transactions`,
          member: 'Transaction',
        },
        context,
      ),
  };
}
