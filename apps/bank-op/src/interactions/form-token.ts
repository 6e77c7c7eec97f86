// The per-interaction form token (RFC 6749 §10.12: the authorization server protects its own forms
// against CSRF): every form the bank serves carries it, every POST must return it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import type { Request, Response } from 'express';
import { formValue } from './form-fields.js';
import { noteFormToken } from './trace-notes.js';

export interface FormToken {
  /** The token the forms of this interaction carry. */
  tokenFor(uid: string): string;
  /** Throws 403 access_denied unless the posted form carries this interaction's token. */
  assert(req: Request, res: Response, uid: string): void;
}

function derive(secret: Buffer, purpose: string, uid: string): Buffer {
  return createHmac('sha256', secret).update(`${purpose}:${uid}`).digest();
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function createFormToken(secret: Buffer): FormToken {
  const tokenFor = (uid: string) => derive(secret, 'csrf', uid).toString('base64url');
  return {
    tokenFor,
    assert(req, res, uid) {
      const passed = sameText(formValue(req.body, 'csrf') ?? '', tokenFor(uid));
      noteFormToken(res, passed);
      if (!passed) {
        throw new OAuthError({
          status: 403,
          error: 'access_denied',
          description: 'The form was not submitted from the page the bank served for this sign-in',
          fix: 'start again from the app',
        });
      }
    },
  };
}
