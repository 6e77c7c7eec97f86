// What the bank's books say, read from its store in the sandbox's data folder (as bank-api writes it):
// how many times money left the debtor's account for one payment. A payment retried with the same
// idempotency key, at whichever replica, must have moved the money once.
import path from 'node:path';
import { openBankStore } from '@fapi-sandbox/bank-domain';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';

/** For each payment id: the debits booked on its debtor account under the payment's reference. */
export async function debitsPerPayment(
  config: SandboxConfig,
  payments: { id: string; reference: string }[],
): Promise<number[]> {
  const store = await openBankStore({
    file: path.join(config.dataDir, 'bank', 'bank.sqlite'),
    url: config.databaseUrl,
  });
  try {
    const debitsOf = async ({ id, reference }: { id: string; reference: string }) => {
      const payment = await store.payments.get(id);
      if (!payment) return 0;
      let debits = 0;
      for (let page = 1, pages = 1; page <= pages; page += 1) {
        const found = await store.accounts.transactions(payment.debtorAccountId, {
          creditDebitIndicator: 'Debit',
          page,
          pageSize: 100,
        });
        pages = found.totalPages;
        debits += found.transactions.filter((t) => t.transactionReference === reference).length;
      }
      return debits;
    };
    const debits: number[] = [];
    for (const payment of payments) debits.push(await debitsOf(payment));
    return debits;
  } finally {
    await store.close();
  }
}
