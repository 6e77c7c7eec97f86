// x-idempotency-key on every POST (UK OB R/W API v3.1, Idempotency): the same key and body return the
// original response; the same key with another body is refused; the resource and the record commit
// together, so concurrent retries never create two resources (see bank-domain/idempotency.ts).
import { type BankStore, hashRequest, type StoredResponse } from '@fapi-sandbox/bank-domain';
import type { Request, Response } from 'express';
import { ObRequestError } from './errors.js';

export const IDEMPOTENCY_HEADER = 'x-idempotency-key';

export function respondIdempotently(
  store: BankStore,
  req: Request,
  res: Response,
  identity: { clientId: string; operation: string },
  execute: () => StoredResponse,
): void {
  const key = req.headers[IDEMPOTENCY_HEADER];
  if (typeof key !== 'string' || key === '') {
    throw new ObRequestError(
      400,
      'UK.OBIE.Header.Missing',
      'The x-idempotency-key header is missing',
      'UK OB R/W API v3.1 Idempotency',
      'send a unique key (a UUID) with every POST, and reuse it only to retry that same request',
      IDEMPOTENCY_HEADER,
    );
  }
  const result = store.idempotency.run({ ...identity, key, requestHash: hashRequest(req.body) }, execute);
  res.status(result.status).json(result.body);
}
