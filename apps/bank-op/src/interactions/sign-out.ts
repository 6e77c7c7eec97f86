// "Not Alice? Sign out" on the sign-in and consent pages, and its POST /interaction/:uid/sign-out: ends
// the customer's session at the bank (OIDC Core §3.1.2.3: the OP authenticates the End-User, so another
// one may now sign in) and shows the sign-in page of the same interaction again, so a learner can try Bob
// or Carol without clearing cookies. The TPP's request is untouched: the customer signs in and carries on.
// CSRF: the page's form token (RFC 6749 §10.12) and the same-origin rule (W3C Fetch Metadata §2.4).

import { html, type SafeHtml } from '@fapi-sandbox/fapi-core/html';
import { crossSiteRefusal } from '@fapi-sandbox/fapi-core/same-origin';
import type { Request, Response } from 'express';
import type { Details, InteractionContext } from './context.js';

export interface SignedInAs {
  customerName: string;
  action: string;
  csrfToken: string;
}

/** Who is signed in, if anyone, and the sign-out form's action and token. */
export async function signedInAs(ctx: InteractionContext, details: Details): Promise<SignedInAs | undefined> {
  const customerId = details.session?.accountId;
  if (!customerId) return undefined;
  const customer = await ctx.bank.customers.get(String(customerId));
  return {
    customerName: customer?.displayName ?? String(customerId),
    action: `/interaction/${details.uid}/sign-out`,
    csrfToken: ctx.formToken.tokenFor(details.uid),
  };
}

/** Its own form, after the page's main one: the scripted customer posts the first form on a page. */
export function signOutForm(signedIn: SignedInAs): SafeHtml {
  const firstName = signedIn.customerName.split(' ')[0];
  return html`<form method="post" action="${signedIn.action}" class="sign-out">
    <input type="hidden" name="csrf" value="${signedIn.csrfToken}">
    <p><button class="secondary" type="submit">Not ${firstName}? Sign out</button></p>
  </form>`;
}

export function submitSignOut(ctx: InteractionContext) {
  const bankOrigin = new URL(ctx.provider.issuer).origin;
  return async (req: Request, res: Response): Promise<void> => {
    const crossSite = crossSiteRefusal(req.headers, bankOrigin, 'sign out from the bank page itself');
    if (crossSite) throw crossSite;
    const interaction = await ctx.provider.interactionDetails(req, res);
    ctx.formToken.assert(req, res, interaction.uid);

    const session = await ctx.provider.Session.get({ req, res } as never);
    await session.destroy();
    // The interaction waits for a sign-in again, and no longer belongs to the session just ended (its
    // resume would otherwise refuse the new one).
    interaction.prompt = { name: 'login', reasons: ['customer_signed_out'], details: {} };
    interaction.session = undefined;
    interaction.result = undefined;
    interaction.lastSubmission = undefined;
    await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
    res.redirect(303, `/interaction/${interaction.uid}`);
  };
}
