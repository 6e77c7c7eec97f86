// Headers every TPP response carries. Moneywise's pages must not be framed by another site (a framed
// "Connect" button invites clickjacking), must not be sniffed into another content type, must reach the
// browser over https only, and must not hand their URLs (connection ids, the callback's query) to the bank
// or anyone else as a Referer. Scripts run only from the TPP's own origin or with this response's nonce:
// Vite's React refresh preamble (an inline script in development) carries it, an injected one cannot.
import { randomBytes } from 'node:crypto';
import { TRANSPORT_SECURITY_HEADERS } from '@fapi-sandbox/fapi-core/security-headers';
import type { NextFunction, Request, Response } from 'express';

declare global {
  namespace Express {
    interface Locals {
      /** This response's Content-Security-Policy nonce (base64, 128 bits), for index.html's scripts. */
      cspNonce: string;
    }
  }
}

/** CSP Level 3: scripts from this origin or with the nonce; no plugins, no <base>, no framing. */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    // React sets style attributes and Vite injects <style> while developing; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    // 'self' covers Vite's HMR WebSocket on this same origin (CSP3 matches wss: for an https page).
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const SECURITY_HEADERS = {
  ...TRANSPORT_SECURITY_HEADERS,
  'Referrer-Policy': 'same-origin',
} as const;

export function securityHeaders() {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const nonce = randomBytes(16).toString('base64');
    res.locals.cspNonce = nonce;
    res.set({ ...SECURITY_HEADERS, 'Content-Security-Policy': contentSecurityPolicy(nonce) });
    next();
  };
}
