// The mock bank's domain: one store (SQLite by default, PostgreSQL by DATABASE_URL) that bank-op (log-in, consent decisions) and bank-api
// (consents, accounts, payments) open side by side.
export type { Accounts } from './accounts.js';
export { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './accounts.js';
export * from './authorization-details.js';
export { canonicalJson, hashRequest } from './canonical.js';
export type {
  AccountAccessConsentRequest,
  AuthorisationDecision,
  Consents,
  DomesticPaymentConsentRequest,
  Revocation,
} from './consents.js';
export type { Customers } from './customers.js';
export * from './errors.js';
export type { Idempotency, IdempotentRequest, IdempotentResult, StoredResponse } from './idempotency.js';
export { IDEMPOTENCY_WINDOW_MS } from './idempotency.js';
export { formatMinorUnits, minorDigits, toMinorUnits } from './money.js';
export type { DomesticPaymentRequest, GrantedPaymentRequest, Payments } from './payments.js';
export { grantedConsentId, refusePaymentToSameAccount } from './payments.js';
export {
  ACCOUNT_ACCESS_PERMISSIONS,
  isPermission,
  type Permission,
  validatePermissions,
} from './permissions.js';
export { demoCustomer, SEED_CUSTOMERS, seedReferenceDate } from './seed.js';
export { type BankRepositories, type BankStore, type BankStoreOptions, openBankStore } from './store.js';
export {
  GRANT_ID_CLAIM,
  type RevocationReason,
  type TokenRevocation,
  type TokenRevocations,
} from './token-revocations.js';
export type * from './types.js';
