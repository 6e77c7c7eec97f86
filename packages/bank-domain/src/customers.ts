// Customers: log-in (bank-op's login page) and look-up by id.
import type { BankDb } from './database.js';
import { dummyPasswordHash, verifyPassword } from './passwords.js';
import { preparedQuery } from './prepared-query.js';
import { SEED_CUSTOMERS } from './seed.js';
import type { Customer, DemoCredential } from './types.js';

const toCustomer = (row: { customer_id: string; username: string; display_name: string }): Customer => ({
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
  get(customerId: string): Promise<Customer | undefined>;
  /** The customer with this username (a CIBA login_hint names the customer so), else undefined. */
  findByUsername(username: string): Promise<Customer | undefined>;
  /** The seeded log-ins, shown on the login page and by `pnpm dev`. */
  demoCredentials(): DemoCredential[];
}

const customerByUsername = preparedQuery((db: BankDb, username: string) =>
  db.selectFrom('customers').selectAll().where('username', '=', username),
);
const customerById = preparedQuery((db: BankDb, customerId: string) =>
  db
    .selectFrom('customers')
    .select(['customer_id', 'username', 'display_name'])
    .where('customer_id', '=', customerId),
);

export function customersRepository(db: BankDb): Customers {
  return {
    async authenticate(username, password) {
      const [row] = await customerByUsername(db, username);
      // Unknown usernames cost the same scrypt work as known ones.
      const ok = await verifyPassword(password, row?.password_hash ?? (await dummyPasswordHash()));
      return row && ok ? toCustomer(row) : undefined;
    },
    async get(customerId) {
      const [row] = await customerById(db, customerId);
      return row ? toCustomer(row) : undefined;
    },
    async findByUsername(username) {
      const [row] = await customerByUsername(db, username);
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
