// UK OB Payment Initiation API v3.1, domestic payments: the consent (with an idempotency key, so a retried
// POST cannot create a second one), the payment once the customer authorised it, and its status.
import type { BoundClient } from '../connect/bound-client.js';
import { STEPS } from '../trace/steps.js';
import { type ApiCall, type ApiContext, dataMember, postConsent, type TokenSource } from './api-call.js';
import type { ObDomesticInitiation } from './ob-types.js';

export interface PaymentCalls {
  createPaymentConsent(
    client: BoundClient,
    tokens: TokenSource,
    initiation: ObDomesticInitiation,
    idempotencyKey: string,
    context: ApiContext,
  ): Promise<{ consentId: string; status: string }>;
  submitPayment(
    client: BoundClient,
    tokens: TokenSource,
    input: {
      /** The UK OB intent; absent when the token's authorization_details are the consent (RFC 9396 §7). */
      consentId?: string;
      initiation: ObDomesticInitiation;
      idempotencyKey: string;
      /** 'payment-resubmit' when the TPP sends the same payment again (the inspector names it). */
      step?: 'payment-authorised' | 'payment-granted' | 'payment-resubmit';
    },
    context: ApiContext,
  ): Promise<{ domesticPaymentId: string; status: string }>;
  paymentStatus(
    client: BoundClient,
    tokens: TokenSource,
    domesticPaymentId: string,
    context: ApiContext,
  ): Promise<{ status: string }>;
}

export function paymentCalls(api: ApiCall): PaymentCalls {
  return {
    createPaymentConsent: (client, tokens, initiation, idempotencyKey, context) =>
      postConsent(
        api,
        client,
        tokens,
        {
          step: 'payment-consent',
          title: 'Create the domestic-payment consent',
          path: '/pisp/domestic-payment-consents',
          data: { Initiation: initiation },
          idempotencyKey,
          // FAPI 2.0 Message Signing NR5: Moneywise cannot deny the consent it asked for.
          signed: true,
        },
        context,
      ),

    async submitPayment(client, tokens, input, context) {
      const kind = input.step ?? 'payment-authorised';
      const step = STEPS[kind].title;
      const response = await api.ok(
        client,
        tokens,
        {
          step: kind,
          method: 'POST',
          path: '/pisp/domestic-payments',
          json: {
            Data: {
              ...(input.consentId ? { ConsentId: input.consentId } : {}),
              Initiation: input.initiation,
            },
            Risk: {},
          },
          idempotencyKey: input.idempotencyKey,
          signed: true,
        },
        context,
      );
      return {
        domesticPaymentId: dataMember<string>(response, 'DomesticPaymentId', step),
        status: dataMember<string>(response, 'Status', step),
      };
    },

    async paymentStatus(client, tokens, domesticPaymentId, context) {
      const response = await api.ok(
        client,
        tokens,
        {
          step: 'payment-status',
          method: 'GET',
          path: `/pisp/domestic-payments/${encodeURIComponent(domesticPaymentId)}`,
        },
        context,
      );
      return { status: dataMember<string>(response, 'Status', 'Read the payment status') };
    },
  };
}
