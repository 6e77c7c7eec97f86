// Headers every TPP response carries. Moneywise's pages must not be framed by another site (a framed
// "Connect" button invites clickjacking), must not be sniffed into another content type, and must not
// hand their URLs (connection ids, the callback's query) to the bank or anyone else as a Referer.
// Scripts are not restricted by CSP here: Vite's development server injects inline scripts.
import type { NextFunction, Request, Response } from 'express';

export const SECURITY_HEADERS = {
  'Content-Security-Policy': "frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
} as const;

export function securityHeaders() {
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.set(SECURITY_HEADERS);
    next();
  };
}
