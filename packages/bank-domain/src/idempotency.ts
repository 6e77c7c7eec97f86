// Idempotent POSTs (UK OB v3.1 Read/Write API Specification, Idempotency): a retry with the same
// x-idempotency-key and the same body returns the original response; the same key with another body
// is refused; concurrent retries never create two resources. The record and the resource are written
// in one IMMEDIATE transaction, and the UNIQUE (client, operation, key) constraint backs it up.
import type Database from 'better-sqlite3';
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

export interface Idempotency {
  /**
   * Runs `execute` once per (client, operation, key) and stores its response. `execute` must be
   * synchronous and write through this store, so its writes commit or roll back with the record.
   * Throws InvalidIdempotencyKey, IdempotencyConflict, or whatever `execute` throws (nothing stored).
   */
  run<T>(request: IdempotentRequest, execute: () => StoredResponse<T>): IdempotentResult<T>;
}

interface RecordRow {
  request_hash: string;
  response_status: number;
  response_body: string;
  created_at: string;
}

export function idempotencyRepository(db: Database.Database, now: () => Date): Idempotency {
  const find = db.prepare<[string, string, string], RecordRow>(
    `SELECT request_hash, response_status, response_body, created_at FROM idempotency_records
     WHERE client_id = ? AND operation = ? AND idempotency_key = ?`,
  );
  const remove = db.prepare(
    'DELETE FROM idempotency_records WHERE client_id = ? AND operation = ? AND idempotency_key = ?',
  );
  const insert = db.prepare(
    `INSERT INTO idempotency_records (client_id, operation, idempotency_key, request_hash, response_status,
       response_body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );

  const run = db.transaction(
    (request: IdempotentRequest, execute: () => StoredResponse): IdempotentResult => {
      const { clientId, operation, key, requestHash } = request;
      const existing = find.get(clientId, operation, key);
      const current = now();
      if (existing && current.getTime() - Date.parse(existing.created_at) >= IDEMPOTENCY_WINDOW_MS) {
        remove.run(clientId, operation, key);
      } else if (existing) {
        if (existing.request_hash !== requestHash) throw new IdempotencyConflict(key, operation);
        return { status: existing.response_status, body: JSON.parse(existing.response_body), replayed: true };
      }
      const response = execute();
      insert.run(
        clientId,
        operation,
        key,
        requestHash,
        response.status,
        JSON.stringify(response.body),
        current.toISOString(),
      );
      return { ...response, replayed: false };
    },
  );

  return {
    run<T>(request: IdempotentRequest, execute: () => StoredResponse<T>): IdempotentResult<T> {
      if (!KEY.test(request.key)) throw new InvalidIdempotencyKey(request.key);
      return run.immediate(request, execute) as IdempotentResult<T>;
    },
  };
}
