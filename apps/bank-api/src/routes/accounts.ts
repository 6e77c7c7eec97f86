// UK OB v3.1 Account and Transaction API: accounts, balances, transactions — read under an authorised
// account-access consent, with an authorization-code token (scope accounts) naming it.
import {
  type BankStore,
  DEFAULT_PAGE_SIZE,
  type Permission,
  type TransactionQuery,
} from '@fapi-sandbox/bank-domain';
import { Router } from 'express';
import { accountsResponse, balancesResponse, obTransaction } from '../ob.js';
import { type createPipeline, pipelineContext } from '../pipeline.js';
import { parseRequest, transactionsQuery } from '../schemas.js';
import { pathParam } from './params.js';

const ACCOUNTS: Permission[] = ['ReadAccountsBasic', 'ReadAccountsDetail'];
const TRANSACTION_LEVEL: Permission[] = ['ReadTransactionsBasic', 'ReadTransactionsDetail'];
const TRANSACTION_DIRECTION: Permission[] = ['ReadTransactionsCredits', 'ReadTransactionsDebits'];

const later = (a: string | undefined, b: string | undefined) => (a && b ? (a > b ? a : b) : (a ?? b));
const earlier = (a: string | undefined, b: string | undefined) => (a && b ? (a < b ? a : b) : (a ?? b));

export function accountRoutes(deps: {
  store: BankStore;
  pipeline: ReturnType<typeof createPipeline>;
  baseUrl: string;
}): Router {
  const { store, pipeline, baseUrl } = deps;
  const router = Router();
  const customer = (permissions: Permission[][], accountParam?: string) =>
    pipeline.protect({
      scope: 'accounts',
      grant: 'authorization_code',
      permissions,
      ...(accountParam ? { accountParam } : {}),
    });

  router.get('/aisp/accounts', customer([ACCOUNTS]), (_req, res) => {
    const consent = pipelineContext(res).consent!;
    const accounts = (consent.accountIds ?? []).flatMap((id) => store.accounts.get(id) ?? []);
    res.json(accountsResponse(accounts, consent.permissions ?? [], `${baseUrl}/aisp/accounts`));
  });

  router.get('/aisp/accounts/:AccountId', customer([ACCOUNTS], 'AccountId'), (req, res) => {
    const consent = pipelineContext(res).consent!;
    const account = store.accounts.get(pathParam(req, 'AccountId'));
    const accounts = account ? [account] : [];
    res.json(
      accountsResponse(
        accounts,
        consent.permissions ?? [],
        `${baseUrl}/aisp/accounts/${pathParam(req, 'AccountId')}`,
      ),
    );
  });

  router.get('/aisp/accounts/:AccountId/balances', customer([['ReadBalances']], 'AccountId'), (req, res) => {
    const accountId = pathParam(req, 'AccountId');
    res.json(
      balancesResponse(store.accounts.balances(accountId), `${baseUrl}/aisp/accounts/${accountId}/balances`),
    );
  });

  router.get(
    '/aisp/accounts/:AccountId/transactions',
    customer([TRANSACTION_LEVEL, TRANSACTION_DIRECTION], 'AccountId'),
    (req, res) => {
      const consent = pipelineContext(res).consent!;
      const permissions = consent.permissions ?? [];
      const accountId = pathParam(req, 'AccountId');
      const query = parseRequest(transactionsQuery, req.query, 'query');
      // The consent's TransactionFrom/ToDateTime bound what the TPP may see, whatever it asks for.
      const from = later(query.fromBookingDateTime, consent.transactionFromDateTime);
      const to = earlier(query.toBookingDateTime, consent.transactionToDateTime);
      const credits = permissions.includes('ReadTransactionsCredits');
      const debits = permissions.includes('ReadTransactionsDebits');
      const filter: TransactionQuery = {
        ...(from ? { fromBookingDateTime: from } : {}),
        ...(to ? { toBookingDateTime: to } : {}),
        ...(credits && !debits ? { creditDebitIndicator: 'Credit' as const } : {}),
        ...(debits && !credits ? { creditDebitIndicator: 'Debit' as const } : {}),
        page: query.page ?? 1,
        pageSize: DEFAULT_PAGE_SIZE,
      };
      const page =
        from && to && from > to
          ? { transactions: [], page: 1, pageSize: DEFAULT_PAGE_SIZE, totalPages: 1, totalCount: 0 }
          : store.accounts.transactions(accountId, filter);

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
