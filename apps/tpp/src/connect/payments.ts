// Domestic payments (UK OB Payment Initiation API v3.1): a payment consent and its authorization,
// the payment submitted with the customer's token, and its status read back with a client-credentials token.
import { randomUUID } from 'node:crypto';
import { type PaymentInitiationDetail, paymentInitiationDetail } from '@fapi-sandbox/fapi-client';
import type { ObDomesticInitiation } from '../bank-api/client.js';
import type { PaymentRequest, PaymentView, ResubmitPaymentResponse } from '../shared/api.js';
import type { Connection, Payment } from '../store/connections.js';
import type { Authorize } from './authorize.js';
import type { BoundClient } from './bound-client.js';
import { type ConnectionKit, type Customer, toApiError } from './connection-kit.js';
import { type ConnectionTokens, paymentGrant } from './connection-tokens.js';
import { paymentView } from './connection-view.js';

/** RFC 9396 §2: whether the customer authorises the payment through authorization_details, not an intent. */
export const byAuthorizationDetails = (request: PaymentRequest) =>
  request.authorization === 'authorization-details';

/** RFC 9396 §2 payment_initiation: the payment itself, pushed instead of a consent created at the API. */
export function paymentDetailFor(request: PaymentRequest): PaymentInitiationDetail {
  return paymentInitiationDetail({
    amount: request.amount,
    creditorName: request.payeeName,
    sortCodeAccountNumber: `${request.sortCode.replace(/\D/g, '')}${request.accountNumber}`,
    reference: request.reference,
  });
}

/**
 * UK OB OBDomestic2 initiation of a payment request (identifiers at most 35 characters). Under
 * authorization_details the reference travels as remittanceInformationUnstructured, so the payment
 * repeats it there.
 */
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
    RemittanceInformation: byAuthorizationDetails(request)
      ? { Unstructured: request.reference }
      : { Reference: request.reference },
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
  resubmitPayment(
    connection: Connection,
    payment: Payment,
    customer: Customer,
  ): Promise<ResubmitPaymentResponse>;
}

/** UK OB R/W API v3.1 Idempotency: the same key and body must answer with the resource already made. */
export function resubmitOutcome(
  payment: Payment,
  domesticPaymentId: string,
): Omit<ResubmitPaymentResponse, 'payment'> {
  const samePayment = domesticPaymentId === payment.domesticPaymentId;
  return {
    domesticPaymentId,
    samePayment,
    message: samePayment
      ? `The bank answered with the same payment ${domesticPaymentId}: nothing was paid twice (UK OB idempotency)`
      : `The bank answered with a different payment ${domesticPaymentId} (the first was ${payment.domesticPaymentId}): ` +
        'it did not honour the x-idempotency-key, so the customer may have paid twice (UK OB R/W API v3.1 Idempotency)',
  };
}

export function createPayments(
  { deps, clientFor, apiContext, withRegisteredClient }: ConnectionKit,
  { clientCredentialsToken, customerToken }: ConnectionTokens,
  authorize: Authorize,
): Payments {
  const { store } = deps;

  /** POST /pisp/domestic-payments with the customer's token: the body and key are the payment's own. */
  function submit(
    connection: Connection,
    client: BoundClient,
    payment: Payment,
    customer: Customer,
    step: 'payment-authorised' | 'payment-granted' | 'payment-resubmit',
  ) {
    return deps.bankApi.submitPayment(
      client,
      customerToken(connection, client, paymentGrant(payment.id)),
      {
        ...(payment.consentId ? { consentId: payment.consentId } : {}),
        initiation: initiationFor(payment.request, payment.id),
        idempotencyKey: payment.idempotencyKey,
        step,
      },
      apiContext(connection, customer),
    );
  }

  async function completePayment(
    connection: Connection,
    client: BoundClient,
    payment: Payment,
    customer: Customer,
  ): Promise<void> {
    const step = byAuthorizationDetails(payment.request) ? 'payment-granted' : 'payment-authorised';
    const submitted = await submit(connection, client, payment, customer, step);
    await store.movePayment(payment.id, {
      from: ['authorising'],
      to: 'submitted',
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
    await store.updatePayment(payment.id, { bankStatus: status.status });
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
      await store.createPayment(payment);
      try {
        const { result } = await withRegisteredClient(connection, async (client) => {
          if (byAuthorizationDetails(request)) {
            // RFC 9396: nothing is created at the bank API; the payment travels in the pushed request.
            return authorize(connection, client, {
              scope: 'openid payments',
              authorizationDetails: [paymentDetailFor(request)],
              purpose: 'payment',
              paymentId: payment.id,
              sessionId: customer.sessionId,
            });
          }
          const ccToken = await clientCredentialsToken(connection, client, 'payments');
          // The consent's own idempotency key: a retried consent POST cannot create a second consent.
          const consent = await deps.bankApi.createPaymentConsent(
            client,
            ccToken,
            initiationFor(request, payment.id),
            `consent-${payment.id}`.slice(0, 40),
            apiContext(connection, customer),
          );
          await store.updatePayment(payment.id, { consentId: consent.consentId });
          return authorize(connection, client, {
            scope: 'openid payments',
            consentId: consent.consentId,
            purpose: 'payment',
            paymentId: payment.id,
            sessionId: customer.sessionId,
          });
        });
        return { payment: paymentView((await store.payment(payment.id))!), authorizationUrl: result };
      } catch (err) {
        await store.movePayment(payment.id, { from: ['authorising'], to: 'failed', error: toApiError(err) });
        throw err;
      }
    },

    // A TPP whose submission timed out sends the exact same POST again; the bank's idempotency makes it safe.
    async resubmitPayment(connection, payment, customer) {
      const client = await clientFor(connection);
      const { domesticPaymentId } = await submit(connection, client, payment, customer, 'payment-resubmit');
      return { payment: paymentView(payment), ...resubmitOutcome(payment, domesticPaymentId) };
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
      return paymentView(await store.updatePayment(payment.id, { bankStatus: status.status }));
    },
  };
}
