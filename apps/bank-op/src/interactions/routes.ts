// The customer's part of an authorization (oidc-provider "interactions"), composed from one module per
// step: sign in with strong customer authentication (sign-in.ts; for a payment every time, with a
// passcode linked to its amount and payee, see provider/interaction-policy.ts), then authorise or reject
// the consent the TPP's request names (consent-decision.ts). "Not Alice? Sign out" ends the bank session
// and shows the same interaction's sign-in page again (sign-out.ts). The consent's status is written in the
// bank's domain, and the grant handed to oidc-provider covers exactly what was asked. Deny and cancel
// send access_denied back to the TPP; a sign-in the bank no longer holds gets its own page
// (expired-sign-in.ts).
//
// CSRF: the interaction cookie oidc-provider sets is SameSite=Lax and bound to the interaction id, and
// every form carries a per-interaction token derived from a server secret (form-token.ts).
import express, { type Router } from 'express';
import { submitConsentDecision } from './consent-decision.js';
import { createInteractionContext, type InteractionDependencies } from './context.js';
import { expiryAware } from './expired-sign-in.js';
import { showStep } from './show-step.js';
import { submitSignIn } from './sign-in.js';
import { submitSignOut } from './sign-out.js';

export type { InteractionDependencies } from './context.js';

export function interactionRoutes(deps: InteractionDependencies): Router {
  const ctx = createInteractionContext(deps);
  const handle = expiryAware(ctx);
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const router = express.Router();

  router.get('/interaction/:uid', handle(showStep(ctx)));
  router.post('/interaction/:uid/login', form, handle(submitSignIn(ctx)));
  router.post('/interaction/:uid/consent', form, handle(submitConsentDecision(ctx)));
  router.post('/interaction/:uid/sign-out', form, handle(submitSignOut(ctx)));

  return router;
}
