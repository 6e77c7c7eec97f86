// Customers: log-in (bank-op's login page) and look-up by id.
import type Database from 'better-sqlite3';
import { dummyPasswordHash, verifyPassword } from './passwords.js';
import { SEED_CUSTOMERS } from './seed.js';
import type { Customer, DemoCredential } from './types.js';

interface CustomerRow {
  customer_id: string;
  username: string;
  display_name: string;
  password_hash: string;
}

const toCustomer = (row: CustomerRow): Customer => ({
  customerId: row.customer_id,
  username: row.username,
  displayName: row.display_name,
});

export interface Customers {
  /**
   * The customer whose username and password match, else undefined. Constant-time password compare; the
   * scrypt work runs off the event loop.
   */
  authenticate(username: string, password: string): Promise<Customer | undefined>;
  get(customerId: string): Customer | undefined;
  /** The seeded log-ins, shown on the login page and by `pnpm dev`. */
  demoCredentials(): DemoCredential[];
}

export function customersRepository(db: Database.Database): Customers {
  const byUsername = db.prepare<[string], CustomerRow>('SELECT * FROM customers WHERE username = ?');
  const byId = db.prepare<[string], CustomerRow>('SELECT * FROM customers WHERE customer_id = ?');
  return {
    async authenticate(username, password) {
      const row = byUsername.get(username);
      // Unknown usernames cost the same scrypt work as known ones.
      const ok = await verifyPassword(password, row?.password_hash ?? (await dummyPasswordHash()));
      return row && ok ? toCustomer(row) : undefined;
    },
    get(customerId) {
      const row = byId.get(customerId);
      return row ? toCustomer(row) : undefined;
    },
    demoCredentials() {
      return SEED_CUSTOMERS.map(({ username, password, displayName }) => ({
        username,
        password,
        displayName,
      }));
    },
  };
}
