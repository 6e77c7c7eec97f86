// What a lab check looks for in a participant's trace: each piece of evidence is a named predicate over the
// events the parties recorded (fapi-core trace.ts), with the step of the lab that produces it. Read only
// from real traffic: an event exists because a party answered that request and ran those checks.
import type { TraceEvent, TraceParty } from '@fapi-sandbox/fapi-core/trace';
import type { TraceRead } from './traces.js';

export interface Evidence {
  /** What the lab expects to have happened, e.g. "a DCR registration accepted by bank-op". */
  what: string;
  found: boolean;
  /** Where it was found, or what is missing. */
  detail: string;
  /** The lab step that produces it. */
  howTo: string;
}

export interface TraceEvidence {
  what: string;
  /** The party whose trace holds it; any party's when undefined. */
  party?: TraceParty;
  howTo: string;
  /** The event that proves it (the latest such), if any. */
  find(events: TraceEvent[]): TraceEvent | undefined;
  /** More about the event found than its request line. */
  explain?(event: TraceEvent): string;
}

const pathOf = (event: TraceEvent) => (event.url ? (URL.parse(event.url, 'https://x')?.pathname ?? '') : '');
const ok = (event: TraceEvent) => event.status !== undefined && event.status >= 200 && event.status < 300;
const passed = (event: TraceEvent, name: RegExp) =>
  event.checks.some((check) => check.passed && name.test(check.name));
const accessTokenOf = (event: TraceEvent) => event.jwts.find((jwt) => jwt.where === 'access token');
const latest = (events: TraceEvent[], matches: (event: TraceEvent) => boolean) => events.findLast(matches);

/** One line naming an event: "bank-op POST /register 201 at 2025-01-31T12:00:00.000Z". */
export function describeEvent(event: TraceEvent): string {
  return `${event.party} ${event.method ?? ''} ${pathOf(event)} ${event.status ?? ''} at ${event.at}`.replace(
    /\s+/g,
    ' ',
  );
}

export type Binding = 'jkt' | 'x5t#S256';

/** RFC 7591 §2.3: the software statement fetched from the directory with the software's certificate. */
export const ssaFetched = (howTo: string): TraceEvidence => ({
  what: 'a software statement (SSA) fetched from the directory over mTLS',
  party: 'directory',
  howTo,
  find: (events) => latest(events, (e) => e.method === 'GET' && /\/ssa$/.test(pathOf(e)) && e.status === 200),
});

/** RFC 7591 §3.1: a client registered at bank-op with that SSA. */
export const registered = (howTo: string): TraceEvidence => ({
  what: 'a client registered at bank-op with the SSA (RFC 7591 DCR, 201)',
  party: 'bank-op',
  howTo,
  find: (events) =>
    latest(events, (e) => e.method === 'POST' && pathOf(e) === '/register' && e.status === 201),
});

const BINDING_NAMES: Record<Binding, string> = {
  jkt: 'DPoP-bound (cnf.jkt, RFC 9449 §6)',
  'x5t#S256': 'certificate-bound (cnf x5t#S256, RFC 8705 §3)',
};

/** RFC 9449 §5 / RFC 8705 §3: bank-op issued an access token bound to the client's key or certificate. */
export const boundTokenIssued = (binding: Binding, howTo: string): TraceEvidence => ({
  what: `an access token issued ${BINDING_NAMES[binding]}`,
  party: 'bank-op',
  howTo,
  find: (events) =>
    latest(
      events,
      (e) =>
        pathOf(e) === '/token' &&
        e.status === 200 &&
        passed(e, binding === 'jkt' ? /bound to the DPoP proof key/ : /bound to the client certificate/),
    ),
});

/**
 * FAPI 2.0 SP §5.3.4: the bank API answered a call made with a sender-constrained token, every check of
 * its pipeline passed (the binding among them); `accounts` asks for the customer's accounts read.
 */
export const boundApiCall = (
  binding: Binding | 'either',
  howTo: string,
  options: { accounts?: boolean } = {},
): TraceEvidence => ({
  what: options.accounts
    ? `the customer's accounts read at bank-api with a ${binding === 'either' ? 'sender-constrained' : BINDING_NAMES[binding]} token`
    : `a bank-api call with a ${binding === 'either' ? 'sender-constrained' : BINDING_NAMES[binding]} token, every check passed`,
  party: 'bank-api',
  howTo,
  find: (events) =>
    latest(events, (e) => {
      const cnf = accessTokenOf(e)?.claims.cnf as Record<string, unknown> | undefined;
      const bound =
        binding === 'either'
          ? cnf?.jkt !== undefined || cnf?.['x5t#S256'] !== undefined
          : cnf?.[binding] !== undefined;
      const proof = binding !== 'jkt' || e.jwts.some((jwt) => jwt.where === 'DPoP header');
      const accounts = !options.accounts || (e.method === 'GET' && /\/aisp\/accounts$/.test(pathOf(e)));
      return e.party === 'bank-api' && ok(e) && bound && proof && accounts && e.checks.every((c) => c.passed);
    }),
});

/** FAPI 1.0 Adv §5.2.2-1: the authorization request pushed as a request object the client signed. */
export const signedRequestObject = (howTo: string): TraceEvidence => ({
  what: 'an authorization request pushed as a signed request object (JAR, RFC 9101)',
  party: 'bank-op',
  howTo,
  find: (events) =>
    latest(
      events,
      (e) => pathOf(e) === '/par' && e.status === 201 && passed(e, /request object the client signed/),
    ),
});

/** FAPI 1.0 Adv §5.2.2-2 with JARM §4.1: the bank answered the authorization request with a signed JWT. */
export const jarmResponse = (howTo: string): TraceEvidence => ({
  what: 'an authorization response as a JWT the bank signed (JARM)',
  party: 'bank-op',
  howTo,
  find: (events) =>
    latest(events, (e) => e.jwts.some((jwt) => /^redirect (query|fragment)\.response$/.test(jwt.where))),
});

// RFC 9449 §8: the nonce challenge every DPoP client meets once is the protocol working, not an attack.
const isNonceChallenge = (clause: string) => /RFC 9449 §(8|9)\b/.test(clause);

/** The attack lab: a message a party refused, with the failed check naming its clause. */
export const refusedWithClause = (howTo: string): TraceEvidence => ({
  what: 'an attack refused by a party, the failed check naming its clause',
  howTo,
  find: (events) =>
    latest(events, (e) => (e.status ?? 0) >= 400 && e.checks.some((check) => refusalOf(check))),
  explain: (event) => {
    const check = event.checks.find(refusalOf);
    return check ? `${check.name} (${check.clause})` : '';
  },
});

const refusalOf = (check: { passed: boolean; clause: string }) =>
  !check.passed && check.clause !== '' && !isNonceChallenge(check.clause);

// biome-ignore lint/suspicious/noExplicitAny: UK OB bodies are read field by field
const paymentIdOf = (e: TraceEvent) => (e.responseBody as any)?.Data?.DomesticPaymentId as string | undefined;
const isPayment = (e: TraceEvent) =>
  e.method === 'POST' &&
  /\/pisp\/domestic-payments$/.test(pathOf(e)) &&
  ok(e) &&
  paymentIdOf(e) !== undefined;

/** UK OB v3.1 Payment Initiation: a domestic payment submitted and accepted. */
export const paymentMade = (howTo: string): TraceEvidence => ({
  what: 'a domestic payment made (POST /pisp/domestic-payments answered 201)',
  party: 'bank-api',
  howTo,
  find: (events) => latest(events, isPayment),
});

/** UK OB R/W API v3.1 §Idempotency: the same x-idempotency-key sent again is answered with the same payment. */
export const idempotentRetry = (howTo: string): TraceEvidence => ({
  what: 'a payment retried with the same x-idempotency-key, answered with the same payment',
  party: 'bank-api',
  howTo,
  find: (events) => {
    const payments = events.filter(isPayment);
    return payments.findLast((retry, index) =>
      payments
        .slice(0, index)
        .some(
          (first) =>
            first.requestHeaders?.['x-idempotency-key'] !== undefined &&
            first.requestHeaders['x-idempotency-key'] === retry.requestHeaders?.['x-idempotency-key'] &&
            paymentIdOf(first) === paymentIdOf(retry),
        ),
    );
  },
});

/** Looks for one piece of evidence in what was read; an unreadable trace is missing evidence, and says why. */
export function findEvidence(read: TraceRead, wanted: TraceEvidence): Evidence {
  const event = wanted.find(
    read.events.filter((e) => wanted.party === undefined || e.party === wanted.party),
  );
  const failure = read.failures.find((f) => wanted.party === undefined || f.party === wanted.party);
  if (!event && failure) {
    return {
      what: wanted.what,
      found: false,
      detail: `could not read ${failure.party}'s trace at ${failure.url}: ${failure.problem}. Is the sandbox running (pnpm dev)?`,
      howTo: wanted.howTo,
    };
  }
  return {
    what: wanted.what,
    found: event !== undefined,
    detail: event
      ? [describeEvent(event), wanted.explain?.(event)].filter(Boolean).join(': ')
      : `no such event in ${wanted.party ?? 'any party'}'s trace yet`,
    howTo: wanted.howTo,
  };
}
