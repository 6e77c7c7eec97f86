// The FAPI request headers a resource server reads and the one it echoes (FAPI 1.0 Part 1 §6.2.1-11..13,
// §6.2.2-3..5; FAPI 2.0 keeps x-fapi-interaction-id as the correlation id the whole sandbox traces by).
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { OAuthError } from './errors.js';

export const INTERACTION_ID_HEADER = 'x-fapi-interaction-id';
export const AUTH_DATE_HEADER = 'x-fapi-auth-date';
export const CUSTOMER_IP_HEADER = 'x-fapi-customer-ip-address';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
// RFC 9110 §5.6.7 IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

export interface FapiRequestHeaders {
  /** The id to echo: the client's, or a UUID minted here when it sent none. */
  interactionId: string;
  /** True when the client sent no interaction id and this one was minted. */
  minted: boolean;
  /** When the customer last logged in to the TPP, if the TPP said (customer present). */
  authDate?: Date;
  /** The customer's IP address, if the TPP said (customer present). */
  customerIpAddress?: string;
}

type HeaderBag = Record<string, string | string[] | undefined>;

function single(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  if (Array.isArray(value)) {
    throw new OAuthError({
      status: 400,
      error: 'invalid_request',
      description: `The ${name} header appears more than once`,
      fix: `send ${name} once`,
    });
  }
  return value;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * Reads and validates the FAPI headers of a request (header names in lower case, as Node gives them).
 * Throws an OAuthError (400 invalid_request) naming the header, the clause and the fix.
 */
export function readFapiHeaders(headers: HeaderBag): FapiRequestHeaders {
  const sentId = single(headers, INTERACTION_ID_HEADER);
  // FAPI 1.0 Part 1 §6.2.1-11: echo the client's x-fapi-interaction-id, an RFC 4122 UUID, or mint one.
  if (sentId !== undefined && !isUuid(sentId)) {
    throw new OAuthError({
      status: 400,
      error: 'invalid_request',
      description: `x-fapi-interaction-id '${sentId.slice(0, 64)}' is not a UUID`,
      clause: 'FAPI 1.0 Part 1 §6.2.1-11, RFC 4122',
      fix: 'send a random UUID (crypto.randomUUID()) or omit the header',
    });
  }
  const result: FapiRequestHeaders = { interactionId: sentId ?? randomUUID(), minted: sentId === undefined };

  const authDate = single(headers, AUTH_DATE_HEADER);
  if (authDate !== undefined) {
    // FAPI 1.0 Part 1 §6.2.2-3: the last time the customer logged in with the client, an HTTP-date.
    if (!IMF_FIXDATE.test(authDate) || Number.isNaN(Date.parse(authDate))) {
      throw new OAuthError({
        status: 400,
        error: 'invalid_request',
        description: `x-fapi-auth-date '${authDate.slice(0, 64)}' is not an HTTP-date`,
        clause: 'FAPI 1.0 Part 1 §6.2.2-3, RFC 9110 §5.6.7',
        fix: "send it as new Date().toUTCString(), e.g. 'Tue, 11 Sep 2018 10:15:30 GMT'",
      });
    }
    result.authDate = new Date(authDate);
  }

  const customerIp = single(headers, CUSTOMER_IP_HEADER);
  if (customerIp !== undefined) {
    // FAPI 1.0 Part 1 §6.2.2-4: the customer's IP address, IPv4 or IPv6 (the conformance suite sends IPv6).
    if (isIP(customerIp) === 0) {
      throw new OAuthError({
        status: 400,
        error: 'invalid_request',
        description: `x-fapi-customer-ip-address '${customerIp.slice(0, 64)}' is not an IPv4 or IPv6 address`,
        clause: 'FAPI 1.0 Part 1 §6.2.2-4',
        fix: "send the customer's address as seen by the TPP, e.g. 198.51.100.7 or 2001:db8::1",
      });
    }
    result.customerIpAddress = customerIp;
  }
  return result;
}

interface MinimalRequest {
  headers: HeaderBag;
}
interface MinimalResponse {
  setHeader(name: string, value: string): unknown;
  locals: Record<string, unknown>;
}

/**
 * Express middleware: validates the FAPI headers, echoes (or mints) x-fapi-interaction-id on the
 * response before anything else can fail, and leaves the parsed headers in `res.locals.fapi`.
 * Node's http server sets the `Date` header on every response (FAPI 1.0 Part 1 §6.2.1-12 relies on it).
 */
export function fapiHeadersMiddleware() {
  return (req: MinimalRequest, res: MinimalResponse, next: (err?: unknown) => void): void => {
    const sent = req.headers[INTERACTION_ID_HEADER];
    const echo = typeof sent === 'string' && isUuid(sent) ? sent : randomUUID();
    res.setHeader(INTERACTION_ID_HEADER, echo);
    try {
      const fapi = readFapiHeaders(req.headers);
      res.locals.fapi = { ...fapi, interactionId: echo };
      next();
    } catch (err) {
      next(err);
    }
  };
}

/** The headers a TPP sends on a customer-present call (FAPI 1.0 Part 1 §6.2.2). */
export function customerPresentHeaders(input: {
  interactionId?: string;
  authDate?: Date;
  customerIpAddress?: string;
}): Record<string, string> {
  const headers: Record<string, string> = { [INTERACTION_ID_HEADER]: input.interactionId ?? randomUUID() };
  if (input.authDate) headers[AUTH_DATE_HEADER] = input.authDate.toUTCString();
  if (input.customerIpAddress) headers[CUSTOMER_IP_HEADER] = input.customerIpAddress;
  return headers;
}
