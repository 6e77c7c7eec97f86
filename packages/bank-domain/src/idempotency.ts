// Idempotent POSTs (UK OB v3.1 Read/Write API Specification, Idempotency): a retry with the same
// x-idempotency-key and the same body returns the original response; the same key with another body
// is refused; concurrent retries never create two resources. The record is claimed first, in the same
// transaction that writes the resource: the UNIQUE (client, operation, key) constraint makes a
// concurrent retry, in this process or another replica, wait for that transaction and then replay its answer.
import { type BankDb, inTransaction } from './database.js';
import { IdempotencyConflict, InvalidIdempotencyKey } from './errors.js';

/** UK OB keeps idempotency records for 24 hours; after that a key may be used afresh. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

// UK OB: x-idempotency-key is at most 40 characters; no whitespace (printable ASCII only here).
const KEY = /^[\x21-\x7e]{1,40}$/;

export interface IdempotentRequest {
  clientId: string;
  /** The endpoint, e.g. `POST /domestic-payments`; keys are scoped per client and per endpoint. */
  operation: string;
  key: string;
  /** `hashRequest(body)` of the request body. */
  requestHash: string;
}

export interface StoredResponse<T = unknown> {
  status: number;
  body: T;
}

export interface IdempotentResult<T = unknown> extends StoredResponse<T> {
  /** True when this is the stored response of an earlier request with the same key and body. */
  replayed: boolean;
}

export interface Idempotency<B> {
  /**
   * Runs `execute` once per (client, operation, key) and stores its response. `execute` writes through
   * the repositories it is handed, which share this transaction: its writes commit or roll back with
   * the record. Throws InvalidIdempotencyKey, IdempotencyConflict, or whatever `execute` throws
   * (nothing stored).
   */
  run<T>(
    request: IdempotentRequest,
    execute: (bank: B) => Promise<StoredResponse<T>>,
  ): Promise<IdempotentResult<T>>;
}

/** The record's response before `execute` has produced one; never visible outside the claiming transaction. */
const CLAIMED = 0;

export function idempotencyRepository<B>(
  db: BankDb,
  bankIn: (trx: BankDb) => B,
  now: () => Date,
): Idempotency<B> {
  return {
    async run<T>(
      request: IdempotentRequest,
      execute: (bank: B) => Promise<StoredResponse<T>>,
    ): Promise<IdempotentResult<T>> {
      if (!KEY.test(request.key)) throw new InvalidIdempotencyKey(request.key);
      const { clientId, operation, key, requestHash } = request;
      return inTransaction(db, async (trx) => {
        const record = trx
          .selectFrom('idempotency_records')
          .select(['request_hash', 'response_status', 'response_body', 'created_at'])
          .where('client_id', '=', clientId)
          .where('operation', '=', operation)
          .where('idempotency_key', '=', key);
        const replay = (found: { request_hash: string; response_status: number; response_body: string }) => {
          if (found.request_hash !== requestHash) throw new IdempotencyConflict(key, operation);
          return {
            status: found.response_status,
            body: JSON.parse(found.response_body) as T,
            replayed: true,
          };
        };

        const current = now();
        const existing = await record.executeTakeFirst();
        if (existing && current.getTime() - Date.parse(existing.created_at) >= IDEMPOTENCY_WINDOW_MS) {
          await trx
            .deleteFrom('idempotency_records')
            .where('client_id', '=', clientId)
            .where('operation', '=', operation)
            .where('idempotency_key', '=', key)
            .execute();
        } else if (existing) {
          return replay(existing);
        }

        // The claim: a concurrent retry's insert waits here until this transaction ends.
        const claimed = await trx
          .insertInto('idempotency_records')
          .values({
            client_id: clientId,
            operation,
            idempotency_key: key,
            request_hash: requestHash,
            response_status: CLAIMED,
            response_body: '',
            created_at: current.toISOString(),
          })
          .onConflict((oc) => oc.columns(['client_id', 'operation', 'idempotency_key']).doNothing())
          .executeTakeFirst();
        if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) {
          // Another transaction committed this key while we looked: answer as it did.
          return replay(await record.executeTakeFirstOrThrow());
        }

        const response = await execute(bankIn(trx));
        await trx
          .updateTable('idempotency_records')
          .set({ response_status: response.status, response_body: JSON.stringify(response.body) })
          .where('client_id', '=', clientId)
          .where('operation', '=', operation)
          .where('idempotency_key', '=', key)
          .execute();
        return { ...response, replayed: false };
      });
    },
  };
}
