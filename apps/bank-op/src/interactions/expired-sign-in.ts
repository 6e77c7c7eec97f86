// A sign-in the bank no longer holds (oidc-provider's SessionNotFound: the interaction expired or the
// browser lost its cookie): the customer gets a 400 page with a way back to the app, not an error at it.
import { logRefusal } from '@fapi-sandbox/fapi-core/log';
import type { NextFunction, Request, Response } from 'express';
import { errors } from 'oidc-provider';
import type { InteractionContext } from './context.js';
import { expiredSignInPage, type ReturnLink } from './expired-page.js';
import { formValue, webUrl } from './form-fields.js';

/** Where the expired page sends the customer: the registered app the form names, if there is one. */
async function returnLinkOf(
  ctx: InteractionContext,
  clientId: string | undefined,
): Promise<ReturnLink | undefined> {
  if (!clientId) return undefined;
  const client = await ctx.provider.Client.find(clientId).catch(() => undefined);
  if (!client) return undefined;
  const redirectUri = webUrl(client.redirectUris?.[0]);
  const url = webUrl(client.clientUri)?.href ?? (redirectUri ? `${redirectUri.origin}/` : undefined);
  return url ? { name: (await ctx.tppNamed(clientId)).name, url } : undefined;
}

async function renderExpired(
  ctx: InteractionContext,
  req: Request,
  res: Response,
  err: errors.SessionNotFound,
): Promise<void> {
  const app = await returnLinkOf(ctx, formValue(req.body, 'client_id'));
  const reason = `the bank no longer holds this sign-in (${err.error_description ?? err.message})`;
  if (ctx.log) {
    logRefusal(ctx.log, req, res, {
      status: 400,
      error: 'invalid_request',
      error_description: `sign-in expired: ${reason}`,
    });
  }
  ctx.send(res, 400, expiredSignInPage({ bankName: ctx.bankName, reason, ...(app ? { app } : {}) }));
}

/** Runs a step as an express handler: an expired sign-in gets its page, any other error goes to next. */
export function expiryAware(ctx: InteractionContext) {
  return (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction) => {
      fn(req, res)
        .catch((err: unknown) => {
          // The interaction expired (or this browser lost its cookie): not the app's fault.
          if (err instanceof errors.SessionNotFound) return renderExpired(ctx, req, res, err);
          throw err;
        })
        .catch(next);
    };
}
