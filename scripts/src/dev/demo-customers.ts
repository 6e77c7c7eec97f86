// The bank's demo customers, as the login page shows them: the seed is the one source.
import { SEED_CUSTOMERS } from '@fapi-sandbox/bank-domain';

export function demoCustomers(): { username: string; password: string; displayName: string }[] {
  return SEED_CUSTOMERS.map(({ username, password, displayName }) => ({ username, password, displayName }));
}
