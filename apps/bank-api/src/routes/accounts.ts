// UK OB v3.1 Account and Transaction API: accounts, balances, transactions — read under an authorised
// account-access consent, with an authorization-code token (scope accounts) naming it.
import { DEFAULT_PAGE_SIZE, type Permission, type TransactionQuery } from '@fapi-sandbox/bank-domain';
import { Router } from 'express';
import { ObRequestError } from '../errors.js';
import { accountsResponse, balancesResponse, obTransaction } from '../ob.js';
import { pipelineContext } from '../pipeline.js';
import type { RouteDependencies } from './dependencies.js';
import { pathParam } from './params.js';

const ACCOUNTS: Permission[] = ['ReadAccountsBasic', 'ReadAccountsDetail'];
const TRANSACTION_LEVEL: Permission[] = ['ReadTransactionsBasic', 'ReadTransactionsDetail'];
const TRANSACTION_DIRECTION: Permission[] = ['ReadTransactionsCredits', 'ReadTransactionsDebits'];

/**
 * UK OB v3.1 Filtering: fromBookingDateTime/toBookingDateTime are a date with an optional time (the
 * document's pattern); the time defaults to 00:00:00 and a time zone, if sent, is ignored (the bank books
 * in UTC). Answers the instant as ISO 8601, or refuses a date that does not exist (2025-02-30).
 */
function bookingDateTime(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const time = /T(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)/.exec(value)?.[1] ?? '00:00:00';
  const utc = `${value.slice(0, 10)}T${time.length === 5 ? `${time}:00` : time}Z`;
  const instant = new Date(utc);
  if (Number.isNaN(instant.getTime()) || instant.toISOString().slice(0, 10) !== value.slice(0, 10)) {
    throw new ObRequestError(
      400,
      'UK.OBIE.Field.Invalid',
      `Invalid ${name}: ${value} is not a real date`,
      'UK OB v3.1 Account and Transaction API, Filtering',
      'send a date that exists, as YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS',
      name,
    );
  }
  return instant.toISOString();
}

const later = (a: string | undefined, b: string | undefined) => (a && b ? (a > b ? a : b) : (a ?? b));
const earlier = (a: string | undefined, b: string | undefined) => (a && b ? (a < b ? a : b) : (a ?? b));

export function accountRoutes(deps: RouteDependencies): Router {
  const { store, pipeline, contract, baseUrl } = deps;
  const router = Router();
  const customer = (permissions: Permission[][], accountParam?: string) =>
    pipeline.protect({
      scope: 'accounts',
      grant: 'authorization_code',
      permissions,
      ...(accountParam ? { accountParam } : {}),
    });

  router.get('/aisp/accounts', customer([ACCOUNTS]), async (_req, res) => {
    const consent = pipelineContext(res).consent!;
    const found = await Promise.all((consent.accountIds ?? []).map((id) => store.accounts.get(id)));
    const accounts = found.flatMap((account) => account ?? []);
    res.json(accountsResponse(accounts, consent.permissions ?? [], `${baseUrl}/aisp/accounts`));
  });

  router.get('/aisp/accounts/:AccountId', customer([ACCOUNTS], 'AccountId'), async (req, res) => {
    const consent = pipelineContext(res).consent!;
    const account = await store.accounts.get(pathParam(req, 'AccountId'));
    const accounts = account ? [account] : [];
    res.json(
      accountsResponse(
        accounts,
        consent.permissions ?? [],
        `${baseUrl}/aisp/accounts/${pathParam(req, 'AccountId')}`,
      ),
    );
  });

  router.get(
    '/aisp/accounts/:AccountId/balances',
    customer([['ReadBalances']], 'AccountId'),
    async (req, res) => {
      const accountId = pathParam(req, 'AccountId');
      res.json(
        balancesResponse(
          await store.accounts.balances(accountId),
          `${baseUrl}/aisp/accounts/${accountId}/balances`,
        ),
      );
    },
  );

  router.get(
    '/aisp/accounts/:AccountId/transactions',
    customer([TRANSACTION_LEVEL, TRANSACTION_DIRECTION], 'AccountId'),
    async (req, res) => {
      const consent = pipelineContext(res).consent!;
      const permissions = consent.permissions ?? [];
      const accountId = pathParam(req, 'AccountId');
      const query = contract.query('GetAccountsAccountIdTransactions', req.query);
      // The consent's TransactionFrom/ToDateTime bound what the TPP may see, whatever it asks for.
      const from = later(
        bookingDateTime('fromBookingDateTime', query.fromBookingDateTime),
        consent.transactionFromDateTime,
      );
      const to = earlier(
        bookingDateTime('toBookingDateTime', query.toBookingDateTime),
        consent.transactionToDateTime,
      );
      const credits = permissions.includes('ReadTransactionsCredits');
      const debits = permissions.includes('ReadTransactionsDebits');
      const filter: TransactionQuery = {
        ...(from ? { fromBookingDateTime: from } : {}),
        ...(to ? { toBookingDateTime: to } : {}),
        ...(credits && !debits ? { creditDebitIndicator: 'Credit' as const } : {}),
        ...(debits && !credits ? { creditDebitIndicator: 'Debit' as const } : {}),
        page: Number(query.page ?? 1),
        pageSize: DEFAULT_PAGE_SIZE,
      };
      const page =
        from && to && from > to
          ? { transactions: [], page: 1, pageSize: DEFAULT_PAGE_SIZE, totalPages: 1, totalCount: 0 }
          : await store.accounts.transactions(accountId, filter);

      // UK OB v3.1 Pagination: Self, First, Prev, Next, Last links keep the caller's filters.
      const link = (n: number) => {
        const url = new URL(`${baseUrl}/aisp/accounts/${accountId}/transactions`);
        for (const name of ['fromBookingDateTime', 'toBookingDateTime'] as const) {
          const sent = req.query[name];
          if (typeof sent === 'string') url.searchParams.set(name, sent);
        }
        url.searchParams.set('page', String(n));
        return url.href;
      };
      res.json({
        Data: { Transaction: page.transactions.map((tx) => obTransaction(tx, permissions)) },
        Links: {
          Self: link(page.page),
          First: link(1),
          ...(page.page > 1 ? { Prev: link(Math.min(page.page - 1, page.totalPages)) } : {}),
          ...(page.page < page.totalPages ? { Next: link(page.page + 1) } : {}),
          Last: link(page.totalPages),
        },
        Meta: { TotalPages: page.totalPages },
      });
    },
  );

  return router;
}
