// A connection started but never completed at the bank (the learner closed the tab, or signed in as
// nobody): once the bank's sign-in can no longer finish, no callback can complete it, so it is marked
// failed with the reason, not left "Waiting for the bank" for ever. The request_uri lives 60-600 s
// (RFC 9126 §2.2, FAPI 2.0 SP §5.3.2.2-15) and bank-op's sign-in (its Interaction) 10 minutes.
import type { Connection, ConnectionStore } from '../store/connections.js';

export const ABANDONED_AFTER_MS = 10 * 60_000;

/** The connection, marked failed when it has waited for the bank longer than a sign-in can last. */
export async function expireIfAbandoned(
  store: ConnectionStore,
  connection: Connection,
  now = Date.now(),
): Promise<Connection> {
  if (connection.status !== 'authorising') return connection;
  if (now - Date.parse(connection.createdAt) < ABANDONED_AFTER_MS) return connection;
  // Conditional: a callback completing it at this instant (here or at another TPP process) wins.
  const expired = await store.transition(connection.id, {
    from: ['authorising'],
    to: 'failed',
    error: {
      error: 'authorization_expired',
      error_description:
        'The authorization was never completed at the bank, and the bank no longer holds the sign-in (RFC 9126 section 2.2). Fix: remove this connection and connect again.',
    },
  });
  return expired ?? (await store.get(connection.id)) ?? connection;
}
