// UK OB v3.1 Account and Transaction API: account-access consents. The TPP creates, reads and deletes
// them with a client-credentials token (scope accounts); the customer authorises them at bank-op.
import type { Consent } from '@fapi-sandbox/bank-domain';
import { Router } from 'express';
import { createdId, respondIdempotently } from '../idempotency.js';
import { accountAccessConsentResponse } from '../ob.js';
import { pipelineContext } from '../pipeline.js';
import type { RouteDependencies } from './dependencies.js';
import { pathParam } from './params.js';

export function accountAccessConsentRoutes(deps: RouteDependencies): Router {
  const { store, pipeline, contract } = deps;
  const router = Router();
  const self = (id: string) => `${deps.baseUrl}/aisp/account-access-consents/${id}`;
  const tpp = pipeline.protect({ scope: 'accounts', grant: 'client_credentials' });

  router.post('/aisp/account-access-consents', tpp, async (req, res) => {
    const clientId = pipelineContext(res).token!.client_id;
    const { Data } = contract.requestBody('CreateAccountAccessConsents', req.body);
    const created = (consent: Consent) => ({
      status: 201,
      body: accountAccessConsentResponse(consent, self(consent.consentId)),
    });
    await respondIdempotently(
      store,
      req,
      res,
      { clientId, operation: 'POST /account-access-consents' },
      async (bank) =>
        created(
          await bank.consents.createAccountAccess({
            clientId,
            permissions: Data.Permissions,
            ...(Data.ExpirationDateTime ? { expirationDateTime: Data.ExpirationDateTime } : {}),
            ...(Data.TransactionFromDateTime
              ? { transactionFromDateTime: Data.TransactionFromDateTime }
              : {}),
            ...(Data.TransactionToDateTime ? { transactionToDateTime: Data.TransactionToDateTime } : {}),
          }),
        ),
      {
        // UK OB v3.1 Account and Transaction API: x-idempotency-key is not required on this POST.
        keyRequired: false,
        asItIsNow: async (first) =>
          created(await store.consents.getForClient(createdId(first), clientId, 'account-access')),
      },
    );
  });

  router.get('/aisp/account-access-consents/:ConsentId', tpp, async (req, res) => {
    const clientId = pipelineContext(res).token!.client_id;
    const consent = await store.consents.getForClient(
      pathParam(req, 'ConsentId'),
      clientId,
      'account-access',
    );
    res.json(accountAccessConsentResponse(consent, self(consent.consentId)));
  });

  // UK OB v3.1: the TPP deletes the consent when the customer withdraws it at the TPP; access stops at once.
  router.delete('/aisp/account-access-consents/:ConsentId', tpp, async (req, res) => {
    const clientId = pipelineContext(res).token!.client_id;
    await store.consents.revoke(pathParam(req, 'ConsentId'), { by: 'tpp', clientId });
    res.status(204).end();
  });

  return router;
}
