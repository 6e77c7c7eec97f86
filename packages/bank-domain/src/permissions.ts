// UK Open Banking Read/Write API v3.1, Account and Transaction API Specification, "Permissions":
// the codes a TPP may ask for in an account-access consent, and the rules that tie them together.
import { InvalidPermissions } from './errors.js';

export const ACCOUNT_ACCESS_PERMISSIONS = [
  'ReadAccountsBasic',
  'ReadAccountsDetail',
  'ReadBalances',
  'ReadBeneficiariesBasic',
  'ReadBeneficiariesDetail',
  'ReadDirectDebits',
  'ReadOffers',
  'ReadPAN',
  'ReadParty',
  'ReadPartyPSU',
  'ReadProducts',
  'ReadScheduledPaymentsBasic',
  'ReadScheduledPaymentsDetail',
  'ReadStandingOrdersBasic',
  'ReadStandingOrdersDetail',
  'ReadStatementsBasic',
  'ReadStatementsDetail',
  'ReadTransactionsBasic',
  'ReadTransactionsCredits',
  'ReadTransactionsDebits',
  'ReadTransactionsDetail',
] as const;

export type Permission = (typeof ACCOUNT_ACCESS_PERMISSIONS)[number];

export function isPermission(value: string): value is Permission {
  return (ACCOUNT_ACCESS_PERMISSIONS as readonly string[]).includes(value);
}

/**
 * Validates a requested permission list and returns it typed. Rules (UK OB v3.1 Account and
 * Transaction API, Permissions): at least one code, every code known, no duplicates; transaction
 * reads need both a level (Basic or Detail) and a direction (Credits or Debits).
 */
export function validatePermissions(requested: readonly string[]): Permission[] {
  if (requested.length === 0) {
    throw new InvalidPermissions('An account-access consent needs at least one permission', requested);
  }
  const unknown = requested.filter((p) => !isPermission(p));
  if (unknown.length > 0) {
    throw new InvalidPermissions(`Unknown permission codes: ${unknown.join(', ')}`, requested);
  }
  const duplicates = requested.filter((p, i) => requested.indexOf(p) !== i);
  if (duplicates.length > 0) {
    throw new InvalidPermissions(
      `Duplicate permission codes: ${[...new Set(duplicates)].join(', ')}`,
      requested,
    );
  }
  const has = (p: Permission) => requested.includes(p);
  const level = has('ReadTransactionsBasic') || has('ReadTransactionsDetail');
  const direction = has('ReadTransactionsCredits') || has('ReadTransactionsDebits');
  if (level && !direction) {
    throw new InvalidPermissions(
      'ReadTransactionsBasic/ReadTransactionsDetail also need ReadTransactionsCredits and/or ReadTransactionsDebits',
      requested,
    );
  }
  if (direction && !level) {
    throw new InvalidPermissions(
      'ReadTransactionsCredits/ReadTransactionsDebits also need ReadTransactionsBasic or ReadTransactionsDetail',
      requested,
    );
  }
  return [...requested] as Permission[];
}
