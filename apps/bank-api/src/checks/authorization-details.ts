// Check 7 for a token that carries authorization_details (RFC 9396) instead of an intent: what the
// customer granted travels in the token (§7), so the consent is read from it, not looked up. The detail
// must be well formed and of the type the endpoint needs (payment_initiation for payments,
// account_information for account reads); bank-api then treats it as a consent the grant holds, and
// a payment must match it exactly (paymentMatchesGrant).
import {
  ACCOUNT_INFORMATION,
  type Consent,
  consentOfDetail,
  type DomesticPaymentInitiation,
  type GrantedDetail,
  type GrantedPayment,
  type GrantedPaymentRequest,
  grantedConsentId,
  grantedDetailsOf,
  PAYMENT_INITIATION,
  paymentDifferences,
} from '@fapi-sandbox/bank-domain';
import { ObRequestError } from '../errors.js';
import { refuse } from './challenge.js';
import type { PipelineContext } from './context.js';

const TYPE_FOR_SCOPE = { payments: PAYMENT_INITIATION, accounts: ACCOUNT_INFORMATION } as const;

/**
 * The granted detail that covers this call, as a consent the grant holds: it is Authorised for the
 * token's customer and client while the grant lives (the revocation check ran before this one).
 */
export function consentOfGrantedDetails(ctx: PipelineContext): { consent: Consent; detail: GrantedDetail } {
  const token = ctx.token!;
  const type = TYPE_FOR_SCOPE[ctx.requirement.scope];
  const granted = grantedDetailsOf(token.authorization_details);
  const detail = 'details' in granted ? granted.details.find((d) => d.type === type) : undefined;
  if (!detail || !token.grant_id) {
    throw refuse(ctx.credentials!.scheme, {
      status: 403,
      error: 'insufficient_scope',
      description:
        'problem' in granted
          ? `The token's authorization_details are not ones this bank grants: ${granted.problem}`
          : `The token's authorization_details grant no ${type}; this endpoint needs one`,
      clause: 'RFC 9396 §7',
      fix: `push a ${type} detail with scope ${ctx.requirement.scope}, or create the UK OB consent at bank-api and name it`,
      challengeParams: { scope: ctx.requirement.scope },
    });
  }
  const at = new Date(token.iat * 1000).toISOString();
  const consent = consentOfDetail(detail, {
    consentId: grantedConsentId(token.grant_id),
    clientId: token.client_id,
    customerId: token.sub,
    status: 'Authorised',
    creationDateTime: at,
    statusUpdateDateTime: at,
  });
  return { consent, detail };
}

/** RFC 9396 §7: a payment under granted details repeats them exactly, or it is refused before anything is booked. */
export function paymentMatchesGrant(granted: GrantedPayment, initiation: DomesticPaymentInitiation): void {
  const differs = paymentDifferences(granted, initiation);
  if (differs.length === 0) return;
  throw new ObRequestError(
    400,
    'UK.OBIE.Resource.ConsentMismatch',
    `The payment differs from the authorization_details the customer granted at ${differs.join(', ')}`,
    'RFC 9396 §7',
    "send the amount, currency, creditor account and name (and remittance information) exactly as in the token's authorization_details",
    differs[0]!,
  );
}

/**
 * The payment a token's granted payment_initiation allows, checked against the payment sent: it names no
 * ConsentId (there is none at this API) and repeats the granted details (RFC 9396 §7). Undefined for a
 * token that names an intent instead.
 */
export function grantedPaymentOf(
  ctx: PipelineContext,
  consentId: string | undefined,
  initiation: DomesticPaymentInitiation,
): GrantedPaymentRequest | undefined {
  const granted = ctx.grantedDetail;
  if (granted?.type !== PAYMENT_INITIATION) return undefined;
  if (consentId !== undefined) {
    throw new ObRequestError(
      400,
      'UK.OBIE.Resource.ConsentMismatch',
      `Data.ConsentId ${consentId} names a consent, and the token was granted by authorization_details, not by a consent created at this API`,
      'RFC 9396 §7',
      'send the payment without Data.ConsentId: the token carries what the customer granted',
      'Data.ConsentId',
    );
  }
  paymentMatchesGrant(granted, initiation);
  const token = ctx.token!;
  return {
    clientId: token.client_id,
    grantId: token.grant_id!,
    customerId: token.sub,
    debtorAccount: granted.debtorAccount,
    initiation,
  };
}
