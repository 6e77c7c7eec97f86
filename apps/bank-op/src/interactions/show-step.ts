// GET /interaction/:uid: the page for the step oidc-provider is waiting on (OIDC Core §3.1.2.3
// authenticate the end-user, §3.1.2.4 obtain consent), after checking the consent the request names.
import type { Request, Response } from 'express';
import { renderConsent } from './consent-decision.js';
import type { InteractionContext } from './context.js';
import { consentOrRefuse, signInFor } from './requested-consent.js';
import { renderSignIn } from './sign-in.js';
import { noteConsentPage, noteSignInPage } from './trace-notes.js';

export function showStep(ctx: InteractionContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const details = await ctx.provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      const signIn = await signInFor(ctx, req, res, details);
      if (!signIn) return;
      noteSignInPage(res, signIn.payment);
      await renderSignIn(ctx, res, details, signIn);
      return;
    }
    const consent = await consentOrRefuse(ctx, req, res, details);
    if (!consent) return;
    noteConsentPage(res, consent);
    await renderConsent(ctx, res, details, consent);
  };
}
