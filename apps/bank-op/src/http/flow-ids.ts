// Which x-fapi-interaction-id a request belongs to. Back-channel calls carry the header (FAPI 1.0 Part 1
// §6.2.1-11); the customer's browser does not. So the id the pushed authorization request carried is
// remembered against its request_uri, handed on to each interaction the authorization starts, and
// found again from the request_uri or the interaction uid in a front-channel URL:
//   PAR (header) → request_uri → GET /authorize?request_uri=… → interaction uid → /interaction/<uid>…,
//   /authorize/<uid> (resume) → the next interaction uid → … → the redirect back to the client.
// An authorization without PAR (Baseline's plain request, a FAPI 1.0 request object by value) gets an id
// of its own at /authorize, handed on the same way, so its steps still read as one flow; when the client
// redeems the code on the back channel, that flow is filed under the client's id (linkGrant, flowOfGrant).
// The links live where every replica finds them when REDIS_URL is set (flow-links.ts): a browser step may
// reach another replica than the one that took the PAR.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { INTERACTION_ID_HEADER, isUuid } from '@fapi-sandbox/fapi-core/fapi-headers';
import { ROUTES } from '../provider/discovery.js';
import { type FlowLink, type FlowLinks, memoryFlowLinks } from './flow-links.js';

const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';
/** The authorization endpoint (its resume route, /authorize/<uid>, continues a flow already known). */
const AUTHORIZATION_PATH = ROUTES.authorization;
/** /interaction/<uid>[/login|/consent] and the resume route /authorize/<uid>. */
const INTERACTION_PATH = /^\/(?:interaction|authorize)\/([A-Za-z0-9_-]+)(?:\/|$)/;

export class FlowIds {
  /** What each request was resolved to, for the provider's events and the trace at the response. */
  readonly #byRequest = new WeakMap<object, FlowLink>();
  readonly #links: FlowLinks;

  /** Links in this process's memory by default; replicas pass links they share (flow-links.ts). */
  constructor(links: FlowLinks = memoryFlowLinks()) {
    this.#links = links;
  }

  /**
   * The interaction id of an incoming request: its header, else the flow its request_uri or interaction
   * uid belongs to, else a new one. Remembered for the request, so the provider's events can hand it on.
   */
  async resolve(req: IncomingMessage): Promise<string> {
    const known = this.#byRequest.get(req);
    if (known) return known.interactionId;
    const url = new URL(req.url ?? '/', 'https://bank-op.invalid');
    const requestUri = url.searchParams.get('request_uri');
    const uid = INTERACTION_PATH.exec(url.pathname)?.[1];
    const sent = headerId(req);
    const link =
      (sent ? { interactionId: sent } : undefined) ??
      (requestUri?.startsWith(REQUEST_URI_PREFIX)
        ? await this.#links.get(`par:${requestUri.slice(REQUEST_URI_PREFIX.length)}`)
        : undefined) ??
      (uid ? await this.#links.get(`interaction:${uid}`) : undefined) ??
      (await this.#minted(url.pathname === AUTHORIZATION_PATH));
    this.#byRequest.set(req, link);
    return link.interactionId;
  }

  /** A new id; one minted for an authorization request is remembered as the bank's own (linkGrant). */
  async #minted(authorization: boolean): Promise<FlowLink> {
    const interactionId = randomUUID();
    if (authorization) await this.#links.set(`own:${interactionId}`, { interactionId });
    return { interactionId };
  }

  /**
   * The authorization that issued a code of this grant ran under `interactionId`. Remembered only for a
   * flow whose id the bank made up: a client that pushed its request already named the flow.
   */
  async linkGrant(grantId: string, interactionId: string): Promise<void> {
    if (await this.#links.get(`own:${interactionId}`))
      await this.#links.set(`grant:${grantId}`, { interactionId });
  }

  /** The flow id the bank made up for the authorization that issued a code of this grant, if any. */
  async flowOfGrant(grantId: string): Promise<string | undefined> {
    return (await this.#links.get(`grant:${grantId}`))?.interactionId;
  }

  /** The id a request was resolved to, or the header it carries (a request rebuilt for its body). */
  interactionIdOf(req: IncomingMessage): string | undefined {
    return this.#byRequest.get(req)?.interactionId ?? headerId(req);
  }

  /** The pushed request (its request_uri's id) belongs to this flow. */
  linkPushedRequest(requestId: string, interactionId: string): Promise<void> {
    return this.#links.set(`par:${requestId}`, { interactionId });
  }

  /** The interaction (by uid) belongs to this flow, and to the client's participant (its software_id). */
  linkInteraction(uid: string, interactionId: string, participant?: string): Promise<void> {
    return this.#links.set(`interaction:${uid}`, { interactionId, ...(participant ? { participant } : {}) });
  }

  /**
   * The participant a customer's page belongs to (/interaction/<uid>…), found when the request was
   * resolved: the software_id of the client whose authorization started the interaction. The browser
   * itself names no client.
   */
  participantOf(req: IncomingMessage): string | undefined {
    return this.#byRequest.get(req)?.participant;
  }
}

function headerId(req: IncomingMessage): string | undefined {
  const sent = req.headers[INTERACTION_ID_HEADER];
  return typeof sent === 'string' && isUuid(sent) ? sent : undefined;
}
