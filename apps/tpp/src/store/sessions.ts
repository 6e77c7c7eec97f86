// The learner's session with Moneywise: an opaque random id in an httpOnly cookie. Its start is when the
// customer "logged in" to the TPP, sent as x-fapi-auth-date (FAPI 1.0 Part 1 §6.2.2-3). Kept in the
// TPP's database, so a session begun at one TPP process is known to every other sharing it.
import { randomBytes } from 'node:crypto';
import type { Db } from './database.js';

export interface Session {
  id: string;
  createdAt: string;
}

export interface SessionStore {
  get(id: string): Promise<Session | undefined>;
  create(): Promise<Session>;
}

export function createSessionStore(db: Db): SessionStore {
  return {
    async get(id) {
      const row = await db.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? { id: row.id, createdAt: row.created_at } : undefined;
    },
    async create() {
      const session = { id: randomBytes(32).toString('base64url'), createdAt: new Date().toISOString() };
      await db.insertInto('sessions').values({ id: session.id, created_at: session.createdAt }).execute();
      return session;
    },
  };
}
