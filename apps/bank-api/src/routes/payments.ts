// UK OB v3.1 Payment Initiation API: domestic-payment consents (client-credentials token, scope
// payments), their funds confirmation and the payment itself (authorization-code token naming the
// consent). The payment must repeat the consent's Initiation and Risk exactly and executes once.
import type { Consent, DomesticPayment } from '@fapi-sandbox/bank-domain';
import { Router } from 'express';
import { grantedPaymentOf } from '../checks/authorization-details.js';
import { ObRequestError } from '../errors.js';
import { createdId, respondIdempotently } from '../idempotency.js';
import {
  domesticPaymentConsentResponse,
  domesticPaymentResponse,
  fundsConfirmationResponse,
  toDomainInitiation,
} from '../ob.js';
import { pipelineContext } from '../pipeline.js';
import type { RouteDependencies } from './dependencies.js';
import { pathParam } from './params.js';

function consentMismatch(description: string, path: string): ObRequestError {
  return new ObRequestError(
    400,
    'UK.OBIE.Resource.ConsentMismatch',
    description,
    'UK OB v3.1 Payment Initiation API, FAPI 1.0 Part 1 §6.2.1-6',
    'use the ConsentId the access token was issued for (its openbanking_intent_id)',
    path,
  );
}

export function paymentRoutes(deps: RouteDependencies): Router {
  const { store, pipeline, contract, baseUrl } = deps;
  const router = Router();
  const consentSelf = (id: string) => `${baseUrl}/pisp/domestic-payment-consents/${id}`;
  const paymentSelf = (id: string) => `${baseUrl}/pisp/domestic-payments/${id}`;
  const tpp = pipeline.protect({ scope: 'payments', grant: 'client_credentials' });

  router.post('/pisp/domestic-payment-consents', tpp, async (req, res) => {
    const clientId = pipelineContext(res).token!.client_id;
    const body = contract.requestBody('CreateDomesticPaymentConsents', req.body);
    const initiation = toDomainInitiation(body.Data.Initiation);
    const created = (consent: Consent) => ({
      status: 201,
      body: domesticPaymentConsentResponse(consent, consentSelf(consent.consentId)),
    });
    await respondIdempotently(
      store,
      req,
      res,
      { clientId, operation: 'POST /domestic-payment-consents' },
      async (bank) =>
        created(await bank.consents.createDomesticPayment({ clientId, initiation, risk: body.Risk })),
      {
        keyRequired: true,
        asItIsNow: async (first) =>
          created(await store.consents.getForClient(createdId(first), clientId, 'domestic-payment')),
      },
    );
  });

  router.get('/pisp/domestic-payment-consents/:ConsentId', tpp, async (req, res) => {
    const clientId = pipelineContext(res).token!.client_id;
    const consent = await store.consents.getForClient(
      pathParam(req, 'ConsentId'),
      clientId,
      'domestic-payment',
    );
    res.json(domesticPaymentConsentResponse(consent, consentSelf(consent.consentId)));
  });

  router.get(
    '/pisp/domestic-payment-consents/:ConsentId/funds-confirmation',
    pipeline.protect({ scope: 'payments', grant: 'authorization_code' }),
    async (req, res) => {
      const ctx = pipelineContext(res);
      if (ctx.consent!.consentId !== pathParam(req, 'ConsentId')) {
        throw consentMismatch(
          `The token was issued for consent ${ctx.consent!.consentId}, not ${pathParam(req, 'ConsentId')}`,
          'ConsentId',
        );
      }
      const result = await store.consents.confirmFunds(pathParam(req, 'ConsentId'), ctx.token!.client_id);
      res.json(
        fundsConfirmationResponse(result, `${consentSelf(pathParam(req, 'ConsentId'))}/funds-confirmation`),
      );
    },
  );

  router.post(
    '/pisp/domestic-payments',
    // A retry of a payment that already executed finds its consent Consumed and gets the original answer.
    pipeline.protect({
      scope: 'payments',
      grant: 'authorization_code',
      allowedConsentStatuses: ['Authorised', 'Consumed'],
    }),
    async (req, res) => {
      const ctx = pipelineContext(res);
      const clientId = ctx.token!.client_id;
      const body = contract.requestBody('CreateDomesticPayments', req.body);
      const initiation = toDomainInitiation(body.Data.Initiation);
      // RFC 9396: a token granted by authorization_details pays what they say (checks/authorization-details.ts).
      const granted = grantedPaymentOf(ctx, body.Data.ConsentId, initiation);
      if (!granted && body.Data.ConsentId !== ctx.consent!.consentId) {
        throw consentMismatch(
          `Data.ConsentId ${body.Data.ConsentId ?? '(none)'} is not the consent the token was issued for (${ctx.consent!.consentId})`,
          'Data.ConsentId',
        );
      }
      const created = (payment: DomesticPayment) => ({
        status: 201,
        body: domesticPaymentResponse(payment, paymentSelf(payment.domesticPaymentId)),
      });
      await respondIdempotently(
        store,
        req,
        res,
        { clientId, operation: 'POST /domestic-payments' },
        async (bank) =>
          created(
            granted
              ? await bank.payments.submitGranted(granted)
              : await bank.payments.submitDomestic({
                  clientId,
                  consentId: ctx.consent!.consentId,
                  initiation,
                  risk: body.Risk,
                }),
          ),
        {
          keyRequired: true,
          asItIsNow: async (first) =>
            created(await store.payments.getForClient(createdId(first, 'DomesticPaymentId'), clientId)),
        },
      );
    },
  );

  router.get('/pisp/domestic-payments/:DomesticPaymentId', tpp, async (req, res) => {
    const clientId = pipelineContext(res).token!.client_id;
    const payment = await store.payments.getForClient(pathParam(req, 'DomesticPaymentId'), clientId);
    res.json(domesticPaymentResponse(payment, paymentSelf(payment.domesticPaymentId)));
  });

  return router;
}
