// The "bank app" stands for the customer's phone (CIBA §1: the authentication device). A backchannel
// authentication request lands in its customer's inbox, which the bank-app page reads. Kept in
// oidc-provider's storage (a model of its own, in Redis with replicas), so every replica's bank-app page
// sees the requests any replica accepted; each entry lives as long as its request.
import type { Adapter } from 'oidc-provider';

export const INBOX_MODEL = 'BankAppInbox';

interface InboxEntry {
  authReqId: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export interface BankAppInbox {
  add(customerId: string, entry: InboxEntry): Promise<void>;
  /** The ids of the customer's unexpired requests, newest first. */
  list(customerId: string): Promise<string[]>;
}

export function createBankAppInbox(store: { adapterFor(model: string): Adapter }): BankAppInbox {
  const adapter = store.adapterFor(INBOX_MODEL);
  const now = () => Math.floor(Date.now() / 1000);
  const live = async (customerId: string): Promise<InboxEntry[]> => {
    const found = (await adapter.find(customerId)) as { entries?: InboxEntry[] } | undefined;
    return (found?.entries ?? []).filter((entry) => entry.expiresAt > now());
  };
  return {
    async add(customerId, entry) {
      const entries = [entry, ...(await live(customerId))];
      const lastExpiry = Math.max(...entries.map((e) => e.expiresAt));
      await adapter.upsert(customerId, { entries } as never, Math.max(1, lastExpiry - now()));
    },
    async list(customerId) {
      return (await live(customerId)).map((entry) => entry.authReqId);
    },
  };
}
