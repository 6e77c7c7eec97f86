// Reading the customer's accounts, balances and transactions (UK OB Account and Transaction API v3.1)
// with the connection's sender-constrained access token, refreshed when it has expired.
import type { BankApiClient } from '../bank-api/client.js';
import type { Connection } from '../store/connections.js';
import type { ConnectionKit, Customer } from './connection-kit.js';
import { ACCOUNTS, type ConnectionTokens } from './connection-tokens.js';

export interface AccountReads {
  accounts(connection: Connection, customer: Customer): ReturnType<BankApiClient['accounts']>;
  balances(
    connection: Connection,
    accountId: string,
    customer: Customer,
  ): ReturnType<BankApiClient['balances']>;
  transactions(
    connection: Connection,
    accountId: string,
    customer: Customer,
  ): ReturnType<BankApiClient['transactions']>;
}

export function createAccountReads(
  { deps, clientFor, apiContext }: ConnectionKit,
  { customerToken }: ConnectionTokens,
): AccountReads {
  return {
    async accounts(connection, customer) {
      const client = await clientFor(connection);
      return deps.bankApi.accounts(
        client,
        customerToken(connection, client, ACCOUNTS),
        apiContext(connection, customer),
      );
    },

    async balances(connection, accountId, customer) {
      const client = await clientFor(connection);
      return deps.bankApi.balances(
        client,
        customerToken(connection, client, ACCOUNTS),
        accountId,
        apiContext(connection, customer),
      );
    },

    async transactions(connection, accountId, customer) {
      const client = await clientFor(connection);
      return deps.bankApi.transactions(
        client,
        customerToken(connection, client, ACCOUNTS),
        accountId,
        apiContext(connection, customer),
      );
    },
  };
}
