// A payment as the TPP's JSON API shows it, for component tests of the Pay page.
import type { PaymentView } from '../../src/shared/api.js';

export const paymentView = (status: PaymentView['status']): PaymentView => ({
  id: 'p1',
  status,
  request: {
    payeeName: 'Bob Builder',
    sortCode: '200000',
    accountNumber: '55779911',
    amount: '12.50',
    reference: 'Lunch',
  },
  consentId: 'pc-1',
  ...(status === 'submitted' ? { domesticPaymentId: 'dp-1', bankStatus: 'AcceptedSettlementCompleted' } : {}),
  createdAt: '2025-06-30T09:00:00Z',
  updatedAt: '2025-06-30T09:00:01Z',
});
