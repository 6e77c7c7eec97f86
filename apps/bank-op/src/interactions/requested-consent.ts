// The consent an authorization request names (OB Read/Write API v3.1 §Consent: the TPP creates the
// intent at bank-api, the customer authorises exactly that one): found and checked before any page.
import type { Consent } from '@fapi-sandbox/bank-domain';
import { BankDomainError } from '@fapi-sandbox/bank-domain';
import type { Request, Response } from 'express';
import { consentForAuthorization, IntentError, isPaymentAuthorization } from '../provider/intent.js';
import { authorizationDetailOf, consentViewOf } from './authorization-details.js';
import type { Details, InteractionContext } from './context.js';
import { type PaymentToConfirm, paymentToConfirm } from './passcode.js';
import { noteConsentChecked, noteConsentRefused, noteDetailsRequested } from './trace-notes.js';

/** The consent the request names, or undefined after sending the TPP an error. */
export async function consentOrRefuse(
  ctx: InteractionContext,
  req: Request,
  res: Response,
  details: Details,
): Promise<Consent | undefined> {
  // RFC 9396: the pushed request's authorization_details are the consent (checked at PAR, §5).
  const detail = authorizationDetailOf(details);
  if (detail) {
    noteDetailsRequested(res, detail);
    return consentViewOf(detail, String(details.params.client_id), details.uid);
  }
  try {
    const consent = await consentForAuthorization(ctx.bank, {
      clientId: String(details.params.client_id),
      scope: details.params.scope as string | undefined,
      claims: details.params.claims,
    });
    if (!consent) {
      // The bank's consent page is about a consent: an authorization for nothing has nothing to approve.
      throw new IntentError(
        'invalid_request',
        'The request asks for no account information or payment (scope accounts or payments)',
        'ask for scope openid accounts or openid payments, naming the consent created at bank-api',
      );
    }
    noteConsentChecked(res, consent);
    return consent;
  } catch (err) {
    if (err instanceof IntentError) {
      noteConsentRefused(res, err.message);
      await ctx.refuse(req, res, err.error, err.message);
      return undefined;
    }
    throw err;
  }
}

/**
 * What a sign-in is for: a payment's sign-in confirms that payment (its consent is checked first, so
 * the customer never types a code for a payment the bank would refuse); any other sign-in is plain.
 * Undefined after sending the TPP an error.
 */
export async function signInFor(
  ctx: InteractionContext,
  req: Request,
  res: Response,
  details: Details,
): Promise<{ payment?: PaymentToConfirm } | undefined> {
  const request = { scope: details.params.scope as string | undefined, claims: details.params.claims };
  if (!(await isPaymentAuthorization(ctx.bank, request))) return {};
  const consent = await consentOrRefuse(ctx, req, res, details);
  if (!consent) return undefined;
  const payment = paymentToConfirm(consent);
  return payment ? { payment } : {};
}

/** The customer cancelled or denied: the consent the request names is rejected, if it is this client's. */
export async function rejectNamedConsent(ctx: InteractionContext, details: Details): Promise<void> {
  try {
    const consent = await consentForAuthorization(ctx.bank, {
      clientId: String(details.params.client_id),
      scope: details.params.scope as string | undefined,
      claims: details.params.claims,
    });
    if (consent) await ctx.bank.consents.reject(consent.consentId);
  } catch (err) {
    if (!(err instanceof IntentError || err instanceof BankDomainError)) throw err;
  }
}
