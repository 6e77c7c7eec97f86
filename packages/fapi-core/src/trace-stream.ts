// The flow trace of a party's replicas, shared through a Redis stream (REDIS_URL): every replica appends
// what it records and re-files (already redacted, as the recorder keeps it), and reads what the others
// append into its own ring, so each replica's `/trace` lists every replica's events and a replica (or the
// whole party) restarted finds the recent trace again. The stream is capped like the ring (XADD MAXLEN ~),
// so Redis holds no more than a replica does. Recording stays synchronous: appends are batched after the
// request's turn, and Redis trouble is logged once, never felt by a request.
import { randomUUID } from 'node:crypto';
import type { Logger } from './log.js';
import type { Redis } from './redis.js';
import type { SharedTraceEntry, TraceRecorder } from './trace.js';

export interface TraceStreamOptions {
  /** The party's connection (openRedis); the reader blocks on a duplicate of it. */
  redis: Redis;
  /** The stream's key, under the party's prefix, e.g. `fapi:bank-api:trace`. */
  key: string;
  recorder: TraceRecorder;
  log?: Logger;
  /** How long one XREAD waits for new entries, in milliseconds (default 5 s). */
  blockMs?: number;
}

export interface TraceStream {
  /** Stops sharing: what was recorded is appended first, then the reader stops. */
  close(): Promise<void>;
}

const ENTRY = 'e';
const ORIGIN = 'o';
/** After a failed read, the reader tries again this much later. */
const RETRY_MS = 1000;

/**
 * Loads the stream's recent entries into `recorder` (oldest first), then shares from now on: what the
 * recorder records goes to the stream, what other replicas append comes into the recorder.
 */
export async function shareTraceThroughRedis(options: TraceStreamOptions): Promise<TraceStream> {
  const { redis, key, recorder, log } = options;
  const capacity = recorder.capacity;
  // Tells this replica's appends from the others'; a restarted replica is another origin.
  const origin = randomUUID();
  const trouble = troubleReporter(log, key);

  const apply = (id: string, fields: string[], skipOwnEvents: boolean) => {
    const from = fieldOf(fields, ORIGIN);
    const entry = decodeTraceEntry(fieldOf(fields, ENTRY));
    if (!entry) {
      trouble.failed('entry', new Error(`entry ${id} is not a trace event or re-filing: skipped`));
      return;
    }
    // This replica's own events are in its ring already; its re-filings are applied again, as they may
    // concern events from other replicas that reached it only since.
    if (skipOwnEvents && entry.kind === 'event' && from === origin) return;
    recorder.receive(entry);
  };

  // The recent trace, as before a restart: XREVRANGE gives the newest first.
  const recent = await redis.xrevrange(key, '+', '-', 'COUNT', capacity);
  let lastId = recent[0]?.[0] ?? '0-0';
  for (const [id, fields] of recent.reverse()) apply(id, fields, false);

  // Appends: queued by record() (synchronous), written in one pipeline after the current turn.
  let queue: SharedTraceEntry[] = [];
  let writing: Promise<void> | undefined;
  const write = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      const pipeline = redis.pipeline();
      for (const entry of batch) {
        pipeline.xadd(key, 'MAXLEN', '~', capacity, '*', ORIGIN, origin, ENTRY, encodeTraceEntry(entry));
      }
      try {
        const results = (await pipeline.exec()) ?? [];
        const failure = results.find(([err]) => err)?.[0];
        if (failure) trouble.failed('write', failure);
        else trouble.recovered('write');
      } catch (err) {
        trouble.failed('write', err);
      }
    }
    writing = undefined;
  };
  const stopSharing = recorder.shareThrough((entry) => {
    // While Redis does not answer, at most the ring's worth waits; the oldest give way.
    if (queue.length >= capacity) queue.shift();
    queue.push(entry);
    writing ??= write();
  });

  // Reads: one blocking XREAD at a time, on a connection of its own, from the last entry applied on.
  const reader = redis.duplicate({ connectionName: `${redis.options.connectionName ?? 'fapi'}-trace` });
  reader.on('error', () => {
    // Reported by the loop below, once; ioredis reconnects on its own.
  });
  let stopped = false;
  let wake: (() => void) | undefined;
  const reading = (async () => {
    while (!stopped) {
      try {
        const reply = await reader.xread(
          'COUNT',
          capacity,
          'BLOCK',
          options.blockMs ?? 5000,
          'STREAMS',
          key,
          lastId,
        );
        trouble.recovered('read');
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            apply(id, fields, true);
          }
        }
      } catch (err) {
        if (stopped) break;
        trouble.failed('read', err);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, RETRY_MS).unref();
        });
      }
    }
  })();

  return {
    async close() {
      stopSharing();
      await writing;
      stopped = true;
      reader.disconnect();
      wake?.();
      await reading;
    },
  };
}

type Trouble = 'read' | 'write' | 'entry';

/**
 * Logs the first failure of each kind, and the recovery after a failed read or write: a Redis outage is a
 * line, not a flood; entries that are no trace entries are named once for the stream's life.
 */
function troubleReporter(log: Logger | undefined, key: string) {
  const failing = new Set<Trouble>();
  const say: Record<Trouble, (message: string) => string> = {
    write: (message) =>
      `The trace could not be shared through Redis (${message}): this replica's events stay in its own trace until Redis answers again; requests are unaffected`,
    read: (message) => `The other replicas' trace could not be read from Redis (${message}): retrying`,
    entry: (message) => `The trace stream in Redis holds what this party did not write (${message})`,
  };
  return {
    failed(what: Trouble, err: unknown) {
      if (failing.has(what)) return;
      failing.add(what);
      log?.warn({ err, key }, say[what](err instanceof Error ? err.message : String(err)));
    },
    recovered(what: 'read' | 'write') {
      if (failing.delete(what)) log?.info({ key }, `The trace is shared through Redis again (${what})`);
    },
  };
}

function fieldOf(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** An entry as it is kept in the stream: its JSON text. */
export function encodeTraceEntry(entry: SharedTraceEntry): string {
  return JSON.stringify(entry);
}

/**
 * An entry read from the stream, or undefined when the text is not one: checked for the members a reader
 * relies on (the stream is the party's own, but a reader never fails on what it finds there).
 */
export function decodeTraceEntry(text: string | undefined): SharedTraceEntry | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  if (value.kind === 'refile') {
    const { from, to, participant } = value;
    return typeof from === 'string' && typeof to === 'string' && typeof participant === 'string'
      ? { kind: 'refile', from, to, participant }
      : undefined;
  }
  if (value.kind !== 'event') return undefined;
  const { event, requestBody, responseBody, jwts, foundJwts } = value;
  if (
    !isObject(event) ||
    typeof event.id !== 'string' ||
    typeof event.at !== 'string' ||
    Number.isNaN(Date.parse(event.at)) ||
    typeof event.interactionId !== 'string' ||
    typeof event.party !== 'string' ||
    !Array.isArray(event.checks) ||
    !isStoredBody(requestBody) ||
    !isStoredBody(responseBody) ||
    !Array.isArray(jwts) ||
    !Array.isArray(foundJwts)
  ) {
    return undefined;
  }
  return value as SharedTraceEntry;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isStoredBody(body: unknown): boolean {
  return body === undefined || (isObject(body) && (typeof body.json === 'string' || 'value' in body));
}
