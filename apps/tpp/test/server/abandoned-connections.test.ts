// A connection the learner started but never completed at the bank does not wait "for the bank" for ever:
// once the bank's sign-in can no longer finish, it is marked failed, with the reason and the fix.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ABANDONED_AFTER_MS, expireIfAbandoned } from '../../src/connect/abandoned.js';
import { type Connection, createConnectionStore } from '../../src/store/connections.js';
import { type Db, openDatabase } from '../../src/store/database.js';

const opened: { dir: string; db: Db }[] = [];
afterEach(async () => {
  for (const { dir, db } of opened.splice(0)) {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

async function storeWith(connection: Connection) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tpp-abandoned-'));
  const { db } = await openDatabase({ dataDir: dir });
  opened.push({ dir, db });
  const store = createConnectionStore(db);
  await store.create(connection);
  return store;
}

const started = '2026-01-10T09:00:00.000Z';
const pending: Connection = {
  id: 'c1',
  sessionId: 's1',
  profile: 'fapi2-dpop',
  clientAuth: 'private_key_jwt',
  interactionId: 'i1',
  status: 'authorising',
  createdAt: started,
  updatedAt: started,
};

describe('abandoned connections', () => {
  it('stay waiting while the bank can still complete the sign-in', async () => {
    const store = await storeWith(pending);
    const now = Date.parse(started) + ABANDONED_AFTER_MS - 1000;
    expect((await expireIfAbandoned(store, pending, now)).status).toBe('authorising');
    expect((await store.get('c1'))?.status).toBe('authorising');
  });

  it('are marked failed once the sign-in at the bank can no longer finish, saying why and what to do', async () => {
    const store = await storeWith(pending);
    const now = Date.parse(started) + ABANDONED_AFTER_MS;
    const expired = await expireIfAbandoned(store, pending, now);
    expect(expired.status).toBe('failed');
    expect(expired.error?.error).toBe('authorization_expired');
    expect(expired.error?.error_description).toMatch(
      /\(RFC 9126 section 2\.2\)\. Fix: remove this connection/,
    );
    expect((await store.get('c1'))?.status).toBe('failed');
  });

  it('are not marked failed when the callback completed them meanwhile (here or at another TPP process)', async () => {
    const store = await storeWith(pending);
    // The list was read while authorising; the callback made it active before the expiry's write.
    await store.transition('c1', { from: ['authorising'], to: 'active' });
    const seen = await expireIfAbandoned(store, pending, Date.parse(started) + ABANDONED_AFTER_MS);
    expect(seen.status).toBe('active');
    expect((await store.get('c1'))?.status).toBe('active');
  });

  it('leave a completed connection alone, however old', async () => {
    const active = { ...pending, status: 'active' as const };
    const store = await storeWith(active);
    expect((await expireIfAbandoned(store, active, Date.parse(started) + 30 * 86_400_000)).status).toBe(
      'active',
    );
  });
});
