// A domestic payment as a TPP makes one (UK OB Payment Initiation API v3.1): the consent with the TPP's
// own token, then, once the customer authorised it, the payment with the customer's token and an
// idempotency key the TPP keeps for retries.
import type { AccessToken, FapiFlowClient } from '@fapi-sandbox/fapi-client';

/** The payment's initiation; `reference` (at most 35 characters) is what the bank books it under. */
export function initiation(reference: string) {
  return {
    InstructionIdentification: reference,
    EndToEndIdentification: reference,
    InstructedAmount: { Amount: '1.23', Currency: 'GBP' },
    CreditorAccount: {
      SchemeName: 'UK.OBIE.SortCodeAccountNumber',
      Identification: '08080021325698',
      Name: 'ACME Plumbing Ltd',
    },
  };
}

/** POST /pisp/domestic-payment-consents; the consent id. */
export async function paymentConsent(client: FapiFlowClient, reference: string): Promise<string> {
  const created = await client.api(
    await client.clientCredentialsToken('payments'),
    'POST',
    '/pisp/domestic-payment-consents',
    { Data: { Initiation: initiation(reference) }, Risk: {} },
  );
  const consentId = created.body?.Data?.ConsentId;
  if (created.status !== 201 || typeof consentId !== 'string') {
    throw new Error(`payment consent refused: ${created.status} ${JSON.stringify(created.body)}`);
  }
  return consentId;
}

/** POST /pisp/domestic-payments under `idempotencyKey`: the status and the payment id answered. */
export async function submitPayment(
  client: FapiFlowClient,
  token: AccessToken,
  consentId: string,
  reference: string,
  idempotencyKey: string,
): Promise<{ status: number; paymentId: string | undefined }> {
  const paid = await client.api(
    token,
    'POST',
    '/pisp/domestic-payments',
    { Data: { ConsentId: consentId, Initiation: initiation(reference) }, Risk: {} },
    { idempotencyKey },
  );
  return { status: paid.status, paymentId: paid.body?.Data?.DomesticPaymentId };
}
