// x-idempotency-key on POST (UK OB R/W API v3.1, Idempotency): the same key and body create nothing new
// and answer with the resource as it is now; the same key with another body is refused; the resource
// and the record commit together, so concurrent retries never create two resources (see
// bank-domain/idempotency.ts).
import {
  type BankRepositories,
  type BankStore,
  hashRequest,
  type StoredResponse,
} from '@fapi-sandbox/bank-domain';
import type { Request, Response } from 'express';
import { ObRequestError } from './errors.js';

export const IDEMPOTENCY_HEADER = 'x-idempotency-key';

export interface IdempotencyOptions {
  /**
   * UK OB v3.1 lists x-idempotency-key for the Payment Initiation POSTs only; the Account and
   * Transaction API's consent POST does not require it. False there: without a key the request simply
   * runs (a key, when sent, is still honoured).
   */
  keyRequired: boolean;
  /** UK OB v3.1 Idempotency: a replay answers with the resource as it is now, read again by the route. */
  asItIsNow: (first: StoredResponse) => Promise<StoredResponse>;
}

export async function respondIdempotently(
  store: BankStore,
  req: Request,
  res: Response,
  identity: { clientId: string; operation: string },
  /** Writes through the repositories it is handed: with a key, they share the record's transaction. */
  execute: (bank: BankRepositories) => Promise<StoredResponse>,
  options: IdempotencyOptions,
): Promise<void> {
  const key = req.headers[IDEMPOTENCY_HEADER];
  if (typeof key !== 'string' || key === '') {
    if (!options.keyRequired) {
      const response = await execute(store);
      res.status(response.status).json(response.body);
      return;
    }
    throw new ObRequestError(
      400,
      'UK.OBIE.Header.Missing',
      `The x-idempotency-key header is missing; ${identity.operation} needs it`,
      'UK OB R/W API v3.1 Idempotency (Payment Initiation API)',
      'send a unique key (a UUID) with every payment POST, and reuse it only to retry that same request',
      IDEMPOTENCY_HEADER,
    );
  }
  const result = await store.idempotency.run(
    { ...identity, key, requestHash: hashRequest(req.body) },
    execute,
  );
  const response = result.replayed ? await options.asItIsNow(result) : result;
  res.status(response.status).json(response.body);
}

/** The id of the resource a stored first answer created (its Data.ConsentId or Data.DomesticPaymentId). */
export function createdId(
  first: StoredResponse,
  field: 'ConsentId' | 'DomesticPaymentId' = 'ConsentId',
): string {
  return String((first.body as { Data: Record<string, unknown> }).Data[field]);
}
