// The consent page and its POST /interaction/:uid/consent: the customer authorises the named consent
// for chosen accounts, or denies it (OB Read/Write API v3.1 §Consent; OIDC Core §3.1.2.4 consent).
import { BankDomainError, type Consent, type GrantedDetail } from '@fapi-sandbox/bank-domain';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import type { Request, Response } from 'express';
import { authorizationDetailOf, grantedDetailFor } from './authorization-details.js';
import { consentPage } from './consent-page.js';
import type { Details, InteractionContext } from './context.js';
import { formValue, formValues } from './form-fields.js';
import { consentOrRefuse } from './requested-consent.js';
import { signedInAs } from './sign-out.js';
import { noteDecision } from './trace-notes.js';

export async function renderConsent(
  ctx: InteractionContext,
  res: Response,
  details: Details,
  consent: Consent,
  status = 200,
  error?: string,
  chosenAccountIds: readonly string[] = [],
): Promise<void> {
  const customerId = String(details.session?.accountId);
  const [customer, accounts, signedIn] = await Promise.all([
    ctx.bank.customers.get(customerId),
    ctx.bank.accounts.listForCustomer(customerId),
    signedInAs(ctx, details),
  ]);
  ctx.send(
    res,
    status,
    consentPage({
      bankName: ctx.bankName,
      action: `/interaction/${details.uid}/consent`,
      csrfToken: ctx.formToken.tokenFor(details.uid),
      clientId: String(details.params.client_id),
      tpp: await ctx.tppOf(details),
      consent,
      accounts,
      customerName: customer?.displayName ?? customerId,
      signedIn,
      chosenAccountIds,
      authorizationDetail: authorizationDetailOf(details),
      ...(error ? { error } : {}),
    }),
  );
}

export function submitConsentDecision(ctx: InteractionContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const { provider, bank } = ctx;
    const details = await provider.interactionDetails(req, res);
    ctx.formToken.assert(req, res, details.uid);
    if (details.prompt.name !== 'consent' || !details.session?.accountId) {
      throw new OAuthError({
        status: 400,
        error: 'invalid_request',
        description: 'This sign-in is not waiting for a consent decision',
        fix: 'start again from the app',
      });
    }
    const consent = await consentOrRefuse(ctx, req, res, details);
    if (!consent) return;

    const decision = formValue(req.body, 'decision');
    if (decision === 'select-all') {
      const every = (await bank.accounts.listForCustomer(String(details.session.accountId))).map(
        (a) => a.accountId,
      );
      await renderConsent(ctx, res, details, consent, 200, undefined, every);
      return;
    }
    if (decision !== 'allow') {
      noteDecision(res, consent, 'denied');
      // A rich authorization request has no consent at the bank to reject: its details die with the request.
      if (!authorizationDetailOf(details)) await bank.consents.reject(consent.consentId);
      await ctx.refuse(req, res, 'access_denied', 'The customer denied the request');
      return;
    }

    const accountIds = formValues(req.body, 'accounts');
    const customerId = String(details.session.accountId);
    const detail = authorizationDetailOf(details);
    let granted: GrantedDetail | undefined;
    try {
      if (detail) granted = await grantedDetailFor(bank, detail, { customerId, accountIds });
      else await bank.consents.authorise(consent.consentId, { customerId, accountIds });
    } catch (err) {
      if (err instanceof BankDomainError) {
        const problem = accountIds.length === 0 ? 'Choose at least one account.' : err.message;
        noteDecision(res, consent, { invalid: problem });
        await renderConsent(ctx, res, details, consent, 400, problem);
        return;
      }
      throw err;
    }
    noteDecision(res, consent, { authorisedFor: accountIds, customerId });

    // The grant covers exactly what the request asked for and the customer authorised.
    const grant = new provider.Grant({ accountId: customerId, clientId: String(details.params.client_id) });
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    // RFC 9396 §7: the details as granted, with the customer's choice, go on the code and the token.
    if (granted) grant.addRar(granted);
    const grantId = await grant.save();
    await ctx.finish(req, res, { consent: { grantId } }, true);
  };
}
