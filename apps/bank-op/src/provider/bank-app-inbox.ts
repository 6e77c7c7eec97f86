// The "bank app" stands for the customer's phone (CIBA §1: the authentication device). A backchannel
// authentication request lands in its customer's inbox, which the bank-app page reads. The inbox is one of
// the store's expiring sets (in Redis with replicas), so every replica's bank-app page sees the requests
// any replica accepted; each entry lives as long as its request, and two requests for one customer
// accepted at once are both kept (each is one atomic add, never a read-then-write of the whole list).
import type { ExpiringSets } from '../storage/oidc-store.js';

export const INBOX_MODEL = 'BankAppInbox';

interface InboxEntry {
  authReqId: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export interface BankAppInbox {
  add(customerId: string, entry: InboxEntry): Promise<void>;
  /** The ids of the customer's unexpired requests, the latest expiring (so the newest) first. */
  list(customerId: string): Promise<string[]>;
}

export function createBankAppInbox(store: { setsFor(model: string): ExpiringSets }): BankAppInbox {
  const sets = store.setsFor(INBOX_MODEL);
  return {
    add: (customerId, entry) => sets.add(customerId, entry.authReqId, entry.expiresAt),
    list: (customerId) => sets.members(customerId),
  };
}
