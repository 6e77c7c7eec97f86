// Which x-fapi-interaction-id a request belongs to. Back-channel calls carry the header (FAPI 1.0 Part 1
// §6.2.1-11); the customer's browser does not. So the id the pushed authorization request carried is
// remembered against its request_uri, handed on to each interaction the authorization starts, and
// found again from the request_uri or the interaction uid in a front-channel URL:
//   PAR (header) → request_uri → GET /authorize?request_uri=… → interaction uid → /interaction/<uid>…,
//   /authorize/<uid> (resume) → the next interaction uid → … → the redirect back to the client.
// An authorization without PAR (Baseline's plain request, a FAPI 1.0 request object by value) gets an id
// of its own at /authorize, handed on the same way, so its steps still read as one flow; when the client
// redeems the code on the back channel, that flow is filed under the client's id (linkGrant, flowOfGrant).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { INTERACTION_ID_HEADER, isUuid } from '@fapi-sandbox/fapi-core/fapi-headers';
import { ROUTES } from '../provider/discovery.js';

const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
/** The authorization endpoint (its resume route, /authorize/<uid>, continues a flow already known). */
const AUTHORIZATION_PATH = ROUTES.authorization;
/** /interaction/<uid>[/login|/consent] and the resume route /authorize/<uid>. */
const INTERACTION_PATH = /^\/(?:interaction|authorize)\/([A-Za-z0-9_-]+)(?:\/|$)/;

export interface FlowIdOptions {
  /** How long a link is kept: longer than a pushed request and an interaction live (default 15 min). */
  ttlMs?: number;
  /** At most this many links; the oldest go first (default 10000). */
  capacity?: number;
  now?: () => number;
}

export class FlowIds {
  readonly #byRequest = new WeakMap<object, string>();
  readonly #links = new Map<string, { interactionId: string; participant?: string; expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #capacity: number;
  readonly #now: () => number;

  constructor(options: FlowIdOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 15 * 60_000;
    this.#capacity = options.capacity ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * The interaction id of an incoming request: its header, else the flow its request_uri or interaction
   * uid belongs to, else a new one. Remembered for the request, so the provider's events can hand it on.
   */
  resolve(req: IncomingMessage): string {
    const known = this.#byRequest.get(req);
    if (known) return known;
    const url = new URL(req.url ?? '/', 'https://bank-op.invalid');
    const requestUri = url.searchParams.get('request_uri');
    const uid = INTERACTION_PATH.exec(url.pathname)?.[1];
    const interactionId =
      headerId(req) ??
      (requestUri?.startsWith(REQUEST_URI_PREFIX)
        ? this.#find(`par:${requestUri.slice(REQUEST_URI_PREFIX.length)}`)
        : undefined) ??
      (uid ? this.#find(`interaction:${uid}`) : undefined) ??
      this.#minted(url.pathname === AUTHORIZATION_PATH);
    this.#byRequest.set(req, interactionId);
    return interactionId;
  }

  /** A new id; one minted for an authorization request is remembered as the bank's own (linkGrant). */
  #minted(authorization: boolean): string {
    const interactionId = randomUUID();
    if (authorization) this.#link(`own:${interactionId}`, interactionId);
    return interactionId;
  }

  /**
   * The authorization that issued a code of this grant ran under `interactionId`. Remembered only for a
   * flow whose id the bank made up: a client that pushed its request already named the flow.
   */
  linkGrant(grantId: string, interactionId: string): void {
    if (this.#find(`own:${interactionId}`)) this.#link(`grant:${grantId}`, interactionId);
  }

  /** The flow id the bank made up for the authorization that issued a code of this grant, if any. */
  flowOfGrant(grantId: string): string | undefined {
    return this.#find(`grant:${grantId}`);
  }

  /** The id a request was resolved to, or the header it carries (a request rebuilt for its body). */
  interactionIdOf(req: IncomingMessage): string | undefined {
    return this.#byRequest.get(req) ?? headerId(req);
  }

  /** The pushed request (its request_uri's id) belongs to this flow. */
  linkPushedRequest(requestId: string, interactionId: string): void {
    this.#link(`par:${requestId}`, interactionId);
  }

  /** The interaction (by uid) belongs to this flow, and to the client's participant (its software_id). */
  linkInteraction(uid: string, interactionId: string, participant?: string): void {
    this.#link(`interaction:${uid}`, interactionId, participant);
  }

  /**
   * The participant a customer's page belongs to (/interaction/<uid>…): the software_id of the client
   * whose authorization started the interaction. The browser itself names no client.
   */
  participantOf(req: IncomingMessage): string | undefined {
    const uid = INTERACTION_PATH.exec(new URL(req.url ?? '/', 'https://bank-op.invalid').pathname)?.[1];
    return uid ? this.#linkOf(`interaction:${uid}`)?.participant : undefined;
  }

  #find(key: string): string | undefined {
    return this.#linkOf(key)?.interactionId;
  }

  #linkOf(key: string): { interactionId: string; participant?: string } | undefined {
    const link = this.#links.get(key);
    if (!link) return undefined;
    if (link.expiresAt <= this.#now()) {
      this.#links.delete(key);
      return undefined;
    }
    return link;
  }

  #link(key: string, interactionId: string, participant?: string): void {
    const now = this.#now();
    this.#links.delete(key);
    this.#links.set(key, {
      interactionId,
      ...(participant ? { participant } : {}),
      expiresAt: now + this.#ttlMs,
    });
    // Map order is insertion order: the first entries are the oldest.
    for (const [oldKey, link] of this.#links) {
      if (this.#links.size <= this.#capacity && link.expiresAt > now) break;
      this.#links.delete(oldKey);
    }
  }
}

function headerId(req: IncomingMessage): string | undefined {
  const sent = req.headers[INTERACTION_ID_HEADER];
  return typeof sent === 'string' && isUuid(sent) ? sent : undefined;
}
