// The learner's session with Moneywise: an opaque random id in an httpOnly cookie. Its start is when the
// customer "logged in" to the TPP, sent as x-fapi-auth-date (FAPI 1.0 Part 1 §6.2.2-3).
import { randomBytes } from 'node:crypto';
import type { Db } from './database.js';

export interface Session {
  id: string;
  createdAt: string;
}

export interface SessionStore {
  get(id: string): Session | undefined;
  create(): Session;
}

export function createSessionStore(db: Db): SessionStore {
  const get = db.prepare('SELECT id, created_at FROM sessions WHERE id = ?');
  const insert = db.prepare('INSERT INTO sessions (id, created_at) VALUES (?, ?)');
  return {
    get(id) {
      const row = get.get(id) as { id: string; created_at: string } | undefined;
      return row ? { id: row.id, createdAt: row.created_at } : undefined;
    },
    create() {
      const session = { id: randomBytes(32).toString('base64url'), createdAt: new Date().toISOString() };
      insert.run(session.id, session.createdAt);
      return session;
    },
  };
}
