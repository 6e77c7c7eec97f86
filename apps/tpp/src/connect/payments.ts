// Domestic payments (UK OB Payment Initiation API v3.1): a payment consent and its authorization,
// the payment submitted with the customer's token, and its status read back with a client-credentials token.
import { randomUUID } from 'node:crypto';
import type { ObDomesticInitiation } from '../bank-api/client.js';
import type { PaymentRequest, PaymentView } from '../shared/api.js';
import type { Connection, Payment } from '../store/connections.js';
import type { Authorize } from './authorize.js';
import type { BoundClient } from './bound-client.js';
import { type ConnectionKit, type Customer, toApiError } from './connection-kit.js';
import { type ConnectionTokens, paymentGrant } from './connection-tokens.js';
import { paymentView } from './connection-view.js';

/** UK OB OBDomestic2 initiation of a payment request (identifiers at most 35 characters). */
export function initiationFor(request: PaymentRequest, paymentId: string): ObDomesticInitiation {
  const short = paymentId.replace(/-/g, '').slice(0, 16);
  return {
    InstructionIdentification: `MW-${short}`,
    EndToEndIdentification: `MW-E2E-${short}`,
    InstructedAmount: { Amount: request.amount, Currency: 'GBP' },
    CreditorAccount: {
      SchemeName: 'UK.OBIE.SortCodeAccountNumber',
      Identification: `${request.sortCode.replace(/\D/g, '')}${request.accountNumber}`,
      Name: request.payeeName,
    },
    RemittanceInformation: { Reference: request.reference },
  };
}

/** After the customer authorised the payment consent: submit the payment and read its status. */
export type CompletePayment = (
  connection: Connection,
  client: BoundClient,
  payment: Payment,
  customer: Customer,
) => Promise<void>;

export interface Payments {
  startPayment(
    connection: Connection,
    request: PaymentRequest,
    customer: Customer,
  ): Promise<{ payment: PaymentView; authorizationUrl: string }>;
  completePayment: CompletePayment;
  refreshPayment(connection: Connection, payment: Payment, customer: Customer): Promise<PaymentView>;
}

export function createPayments(
  { deps, clientFor, apiContext, withRegisteredClient }: ConnectionKit,
  { clientCredentialsToken, customerToken }: ConnectionTokens,
  authorize: Authorize,
): Payments {
  const { store } = deps;

  async function completePayment(
    connection: Connection,
    client: BoundClient,
    payment: Payment,
    customer: Customer,
  ): Promise<void> {
    const tokens = customerToken(connection, client, paymentGrant(payment.id));
    const initiation = initiationFor(payment.request, payment.id);
    const submitted = await deps.bankApi.submitPayment(
      client,
      tokens,
      { consentId: payment.consentId!, initiation, idempotencyKey: payment.idempotencyKey },
      apiContext(connection, customer),
    );
    store.updatePayment(payment.id, {
      status: 'submitted',
      domesticPaymentId: submitted.domesticPaymentId,
      bankStatus: submitted.status,
    });
    // UK OB: reading a payment back is the TPP acting for itself, with a client-credentials token.
    const status = await deps.bankApi.paymentStatus(
      client,
      await clientCredentialsToken(connection, client, 'payments'),
      submitted.domesticPaymentId,
      apiContext(connection, customer),
    );
    store.updatePayment(payment.id, { bankStatus: status.status });
  }

  return {
    completePayment,

    async startPayment(connection, request, customer) {
      const now = new Date().toISOString();
      const payment: Payment = {
        id: randomUUID(),
        connectionId: connection.id,
        status: 'authorising',
        request,
        idempotencyKey: randomUUID(),
        createdAt: now,
        updatedAt: now,
      };
      store.createPayment(payment);
      try {
        const { result } = await withRegisteredClient(connection, async (client) => {
          const ccToken = await clientCredentialsToken(connection, client, 'payments');
          // The consent's own idempotency key: a retried consent POST cannot create a second consent.
          const consent = await deps.bankApi.createPaymentConsent(
            client,
            ccToken,
            initiationFor(request, payment.id),
            `consent-${payment.id}`.slice(0, 40),
            apiContext(connection, customer),
          );
          store.updatePayment(payment.id, { consentId: consent.consentId });
          return authorize(connection, client, {
            scope: 'openid payments',
            consentId: consent.consentId,
            purpose: 'payment',
            paymentId: payment.id,
            sessionId: customer.sessionId,
          });
        });
        return { payment: paymentView(store.payment(payment.id)!), authorizationUrl: result };
      } catch (err) {
        store.updatePayment(payment.id, { status: 'failed', error: toApiError(err) });
        throw err;
      }
    },

    async refreshPayment(connection, payment, customer) {
      if (!payment.domesticPaymentId) return paymentView(payment);
      const client = await clientFor(connection);
      const status = await deps.bankApi.paymentStatus(
        client,
        await clientCredentialsToken(connection, client, 'payments'),
        payment.domesticPaymentId,
        apiContext(connection, customer),
      );
      return paymentView(store.updatePayment(payment.id, { bankStatus: status.status }));
    },
  };
}
