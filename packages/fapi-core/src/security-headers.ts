// Headers every response of every party carries, HTML pages above all. Each party adds its own
// Content-Security-Policy beside these (its pages differ: the TPP runs scripts, the bank's pages none).
import type { ServerResponse } from 'node:http';

export const TRANSPORT_SECURITY_HEADERS = {
  // RFC 6797 §6.1: a browser that saw this reaches the host over https only, for a year.
  'Strict-Transport-Security': 'max-age=31536000',
  // WHATWG Fetch §3.6 (X-Content-Type-Options): no sniffing a JSON or text answer into HTML or script.
  'X-Content-Type-Options': 'nosniff',
} as const;

/** Middleware (express or plain node): sets TRANSPORT_SECURITY_HEADERS before any route answers. */
export function transportSecurityHeaders() {
  // The list is fixed: read once, not on every response.
  const headers = Object.entries(TRANSPORT_SECURITY_HEADERS);
  return (_req: unknown, res: ServerResponse, next: () => void): void => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}
