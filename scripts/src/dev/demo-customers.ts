// The bank's demo customers, as the login page shows them: the seed is the one source (its data alone, so
// that the launcher loads none of the bank's database code).
import { SEED_CUSTOMERS } from '@fapi-sandbox/bank-domain/seed-customers';

export function demoCustomers(): { username: string; password: string; displayName: string }[] {
  return SEED_CUSTOMERS.map(({ username, password, displayName }) => ({ username, password, displayName }));
}
