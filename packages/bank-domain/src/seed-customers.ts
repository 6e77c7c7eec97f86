// The demo bank's three customers and their accounts, as data alone: `pnpm dev`'s launcher shows them in
// its ready table without loading the bank's database code (seed.ts seeds the bank from them).
export interface SeedAccount {
  accountId: string;
  subType: 'CurrentAccount' | 'Savings';
  nickname: string;
  sortCode: string;
  accountNumber: string;
  openingDate: string;
  /** Balance at the start of the seeded history, in pence. */
  startBalanceMinor: number;
  overdraftLimitMinor: number;
}

export interface SeedCustomer {
  customerId: string;
  username: string;
  password: string;
  displayName: string;
  employer: string;
  salaryMinor: number;
  rent: { payee: string; amountMinor: number };
  monthlySavingsMinor: number;
  accounts: SeedAccount[];
}

export const SEED_CUSTOMERS: readonly SeedCustomer[] = [
  {
    customerId: 'cust-alice',
    username: 'alice',
    password: 'wonderland',
    displayName: 'Alice Carter',
    employer: 'NORTHWIND TRADERS LTD',
    salaryMinor: 318_450,
    rent: { payee: 'HILLSIDE LETTINGS', amountMinor: 115_000 },
    monthlySavingsMinor: 30_000,
    accounts: [
      {
        accountId: '70000101',
        subType: 'CurrentAccount',
        nickname: 'Everyday',
        sortCode: '601613',
        accountNumber: '31926819',
        openingDate: '2016-03-14',
        startBalanceMinor: 184_237,
        overdraftLimitMinor: 50_000,
      },
      {
        accountId: '70000102',
        subType: 'Savings',
        nickname: 'Rainy day',
        sortCode: '601613',
        accountNumber: '48210557',
        openingDate: '2019-08-02',
        startBalanceMinor: 642_090,
        overdraftLimitMinor: 0,
      },
    ],
  },
  {
    customerId: 'cust-bob',
    username: 'bob',
    password: 'builder',
    displayName: 'Bob Okafor',
    employer: 'CONTOSO LOGISTICS',
    salaryMinor: 247_912,
    rent: { payee: 'RIVERSIDE HOMES MORTGAGE', amountMinor: 89_650 },
    monthlySavingsMinor: 15_000,
    accounts: [
      {
        accountId: '70000201',
        subType: 'CurrentAccount',
        nickname: 'Main account',
        sortCode: '402715',
        accountNumber: '90412236',
        openingDate: '2012-11-05',
        startBalanceMinor: 97_518,
        overdraftLimitMinor: 25_000,
      },
      {
        accountId: '70000202',
        subType: 'Savings',
        nickname: 'Holiday fund',
        sortCode: '402715',
        accountNumber: '90418847',
        openingDate: '2021-01-19',
        startBalanceMinor: 215_000,
        overdraftLimitMinor: 0,
      },
    ],
  },
  {
    customerId: 'cust-carol',
    username: 'carol',
    password: 'christmas',
    displayName: 'Carol Nguyen',
    employer: 'FABRIKAM STUDIOS',
    salaryMinor: 192_030,
    rent: { payee: 'CITY ROOMS LTD', amountMinor: 72_500 },
    monthlySavingsMinor: 0,
    accounts: [
      {
        accountId: '70000301',
        subType: 'CurrentAccount',
        nickname: 'Current',
        sortCode: '309634',
        accountNumber: '17730492',
        openingDate: '2022-09-01',
        startBalanceMinor: 41_288,
        overdraftLimitMinor: 0,
      },
    ],
  },
];
