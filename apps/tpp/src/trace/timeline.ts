// One timeline from every party's trace events: a message both sides recorded (the TPP's outbound call
// and the bank's view of the same request) becomes one entry with both sides' checks; each entry gets
// its lanes for the sequence diagram, its phase, and the key or certificate presented beside the token's
// cnf. Entries are ordered by cause and effect first and by clock second (causal-order.ts).

import type { TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Lane, Phase, TimelineBinding, TimelineEntry } from '../shared/timeline.js';
import { isPhase, LANES } from '../shared/timeline.js';
import { type CausalNode, causalOrder } from './causal-order.js';
import { markExpectedRefusals } from './expected-refusals.js';

/** How far apart the sender's and the receiver's records of one message may be. */
const PAIRING_WINDOW_MS = 15_000;

function isLane(value: unknown): value is Lane {
  return typeof value === 'string' && (LANES as readonly string[]).includes(value);
}

function pathOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url, 'https://placeholder.invalid').pathname;
  } catch {
    return undefined;
  }
}

function time(event: TraceEvent): number {
  return Date.parse(event.at);
}

function toEntry(event: TraceEvent, partyOf: (url: string) => Lane | undefined): TimelineEntry {
  const party: Lane = isLane(event.party) ? event.party : 'tpp';
  let from: Lane = party;
  let to: Lane = party;
  let channel: TimelineEntry['channel'] = event.channel;
  if (event.direction === 'outbound') {
    const target = event.url ? partyOf(event.url) : undefined;
    // A front-channel "outbound" message is a redirect: it goes to the browser, which carries it on.
    to = event.channel === 'front' ? 'browser' : (target ?? party);
  } else if (event.direction === 'inbound') {
    // Back channel: the TPP calls the others; the TPP itself is called only by the bank's CIBA ping.
    from = event.channel === 'front' ? 'browser' : party === 'tpp' ? 'bank-op' : 'tpp';
  } else {
    channel = 'internal';
  }
  const by = party;
  return {
    id: event.id,
    at: event.at,
    interactionId: event.interactionId,
    channel,
    from,
    to,
    title: event.step ?? `${event.method ?? ''} ${pathOf(event.url) ?? ''}`.trim(),
    explanation: event.explanation,
    clause: event.clause,
    method: event.method,
    url: event.url,
    status: event.status,
    requestHeaders: event.requestHeaders,
    responseHeaders: event.responseHeaders,
    requestBody: event.requestBody,
    responseBody: event.responseBody,
    jwts: (event.jwts ?? []).map((jwt) => ({ ...jwt, by })),
    checks: (event.checks ?? []).map((check) => ({ ...check, by })),
    certificate: event.certificate,
    reportedBy: [by],
    // Filled in once the entries are in order (assignPhases); the TPP stamps its own events.
    phase: phaseOf(event) ?? 'connect',
  };
}

/** The phase the recording party stamped on its event (the TPP does; the bank's parties do not). */
function phaseOf(event: TraceEvent): Phase | undefined {
  const phase = (event as { phase?: unknown }).phase;
  return isPhase(phase) ? phase : undefined;
}

/** Adds the receiver's view (its checks, the certificate it saw, the JWTs it verified) to the sender's. */
function mergeReceiver(sender: TimelineEntry, receiver: TimelineEntry): TimelineEntry {
  const seen = new Set(sender.jwts.map((jwt) => JSON.stringify([jwt.header, jwt.claims])));
  return {
    ...sender,
    // ISO 8601 times in UTC sort as text: the earlier record is when the message went out.
    at: [receiver.at, sender.at].sort()[0]!,
    explanation: sender.explanation ?? receiver.explanation,
    clause: sender.clause ?? receiver.clause,
    status: sender.status ?? receiver.status,
    requestHeaders: sender.requestHeaders ?? receiver.requestHeaders,
    responseHeaders: sender.responseHeaders ?? receiver.responseHeaders,
    requestBody: sender.requestBody ?? receiver.requestBody,
    responseBody: sender.responseBody ?? receiver.responseBody,
    // The receiver's JWT entries say whether it verified the signature; keep them beside the sender's.
    jwts: [
      ...sender.jwts,
      ...receiver.jwts.filter(
        (jwt) => jwt.verified !== undefined || !seen.has(JSON.stringify([jwt.header, jwt.claims])),
      ),
    ],
    checks: [...sender.checks, ...receiver.checks],
    certificate: receiver.certificate ?? sender.certificate,
    reportedBy: [...sender.reportedBy, ...receiver.reportedBy],
  };
}

async function bindingOf(entry: TimelineEntry): Promise<TimelineBinding | undefined> {
  const token = entry.jwts.find(
    (jwt) =>
      jwt.claims.cnf && typeof jwt.claims.cnf === 'object' && /access token|authorization/i.test(jwt.where),
  );
  const cnf = token?.claims.cnf as Record<string, unknown> | undefined;
  const proof = entry.jwts.find((jwt) => jwt.header.typ === 'dpop+jwt');
  // FAPI 1.0 Part 1 §6.2.1-2: a Baseline access token carries no cnf; it is bound to nothing.
  const bearer = entry.jwts.find(
    (jwt) =>
      /access token/i.test(jwt.where) && jwt.claims.fapi_profile === 'fapi1-baseline' && !jwt.claims.cnf,
  );
  if (bearer && !proof) return { kind: 'bearer', presented: entry.certificate?.x5tS256 };
  if (!cnf && !proof && !entry.certificate) return undefined;
  if (cnf?.jkt !== undefined || (proof && !cnf)) {
    let presented: string | undefined;
    if (proof?.header.jwk && typeof proof.header.jwk === 'object') {
      try {
        presented = await calculateJwkThumbprint(proof.header.jwk as JWK, 'sha256');
      } catch {
        presented = undefined;
      }
    }
    return { kind: 'dpop', presented, cnf, matches: cnf && presented ? cnf.jkt === presented : undefined };
  }
  if (cnf?.['x5t#S256'] !== undefined || entry.certificate) {
    const presented = entry.certificate?.x5tS256;
    return {
      kind: 'mtls',
      presented,
      cnf,
      matches: cnf && presented ? cnf['x5t#S256'] === presented : undefined,
    };
  }
  return undefined;
}

/**
 * A message or check without a phase of its own (the bank's front-channel pages, a party's record the
 * TPP has no counterpart for) belongs to the phase of what caused it: the entry before it in causal order.
 */
function assignPhases(entries: TimelineEntry[], stamped: Set<TimelineEntry>): void {
  let current = entries.find((entry) => stamped.has(entry))?.phase ?? 'connect';
  for (const entry of entries) {
    if (stamped.has(entry)) current = entry.phase;
    else entry.phase = current;
  }
}

export interface TimelineOptions {
  /** The connection's profile in words ("FAPI 2.0 + DPoP, private_key_jwt"), for the explanations. */
  profile?: string;
}

/**
 * Builds the timeline: the events of every party, sender and receiver records of one message paired,
 * ordered by cause and effect (then by time), each in its phase, expected refusals marked.
 */
export async function buildTimeline(
  events: TraceEvent[],
  partyOf: (url: string) => Lane | undefined,
  options: TimelineOptions = {},
): Promise<TimelineEntry[]> {
  const unique = [...new Map(events.map((event) => [event.id, event])).values()].sort(
    (a, b) => time(a) - time(b),
  );
  // A party labels a request by the listener it arrived on, not by who sent it: bank-op's web listener
  // serves the browser and the back-channel calls of clients without a certificate alike, so the
  // receiver's record of a back-channel call may say 'front'. The sender's record decides the channel.
  const inbound = unique.filter((event) => event.direction === 'inbound');
  // First pass: each back-channel call finds the receiver's record of it (same method and path, close in time).
  const receiverOf = new Map<string, TraceEvent>();
  const paired = new Set<string>();
  for (const event of unique) {
    if (event.direction !== 'outbound' || event.channel !== 'back' || !event.url) continue;
    const target = partyOf(event.url);
    const path = pathOf(event.url);
    const receiver = inbound.find(
      (candidate) =>
        !paired.has(candidate.id) &&
        candidate.party === target &&
        candidate.party !== event.party &&
        (candidate.method ?? 'GET').toUpperCase() === (event.method ?? 'GET').toUpperCase() &&
        pathOf(candidate.url) === path &&
        (candidate.status === undefined || event.status === undefined || candidate.status === event.status) &&
        Math.abs(time(candidate) - time(event)) <= PAIRING_WINDOW_MS,
    );
    if (receiver) {
      paired.add(receiver.id);
      receiverOf.set(event.id, receiver);
    }
  }
  const nodes: CausalNode<TimelineEntry>[] = [];
  const stamped = new Set<TimelineEntry>();
  for (const event of unique) {
    if (paired.has(event.id)) continue;
    let entry = toEntry(event, partyOf);
    const records = [event];
    const receiver = receiverOf.get(event.id);
    if (receiver) {
      entry = mergeReceiver(entry, toEntry(receiver, partyOf));
      records.push(receiver);
    }
    if (records.some((record) => phaseOf(record) !== undefined)) stamped.add(entry);
    nodes.push({
      value: entry,
      at: Date.parse(entry.at),
      recordedAt: records.map((record) => ({ party: record.party, at: time(record) })),
      ...frontChannelHop(event, partyOf),
    });
  }
  const entries = causalOrder(nodes);
  assignPhases(entries, stamped);
  markExpectedRefusals(entries, options.profile);
  for (const entry of entries) entry.binding = await bindingOf(entry);
  return entries;
}

/**
 * A front-channel message names where the browser goes next: the TPP's redirect to the bank's
 * authorization endpoint, the bank's redirect back to the TPP's callback. The browser's request there
 * is its effect, whatever the two parties' clocks say.
 */
function frontChannelHop(
  event: TraceEvent,
  partyOf: (url: string) => Lane | undefined,
): Pick<CausalNode<TimelineEntry>, 'sends' | 'arrives'> {
  if (event.channel !== 'front') return {};
  const arrives =
    event.direction === 'inbound' && event.url ? { party: event.party, path: pathOf(event.url) } : undefined;
  const next = event.direction === 'outbound' ? event.url : (event.responseHeaders?.location ?? undefined);
  const target = next ? partyOf(next) : undefined;
  const sends = next && target && target !== event.party ? { party: target, path: pathOf(next) } : undefined;
  return { ...(sends ? { sends } : {}), ...(arrives ? { arrives } : {}) };
}
