// UK Open Banking intents: bank-api creates a consent (an account-access or domestic-payment consent)
// for a TPP, and the TPP's authorization request names it in the claims parameter:
//   claims={"id_token":{"openbanking_intent_id":{"value":"<ConsentId>","essential":true}}, ...}
// bank-op checks the consent before the customer sees it, lets the customer authorise or reject it,
// echoes its id in the ID token, and puts it in the access token (openbanking_intent_id) only while the
// bank still holds it authorised for that customer and client.
import type { BankStore, Consent, ConsentKind } from '@fapi-sandbox/bank-domain';
import { composeDescription } from '@fapi-sandbox/fapi-core/errors';
import { errors } from 'oidc-provider';

export const INTENT_CLAIM = 'openbanking_intent_id';
export const SCA_ACR = 'urn:openbanking:psd2:sca';

const CLAUSE = 'OB Read/Write API v3.1 section Consent, OIDC Core §5.5';

/** The consent kind each resource scope needs. */
const KIND_BY_SCOPE: Record<string, ConsentKind> = {
  accounts: 'account-access',
  payments: 'domestic-payment',
};

export class IntentError extends Error {
  constructor(
    readonly error: 'invalid_request' | 'access_denied',
    readonly description: string,
    readonly fix: string,
  ) {
    super(composeDescription({ description, clause: CLAUSE, fix }));
  }
}

/** The intent id an authorization request names, from its claims parameter (JSON text or object). */
export function intentIdOf(claims: unknown): string | undefined {
  let parsed = claims;
  if (typeof claims === 'string') {
    try {
      parsed = JSON.parse(claims);
    } catch {
      return undefined;
    }
  }
  const members = parsed as
    | Record<string, Record<string, { value?: unknown } | null> | undefined>
    | undefined;
  const value = members?.id_token?.[INTENT_CLAIM]?.value ?? members?.userinfo?.[INTENT_CLAIM]?.value;
  return typeof value === 'string' ? value : undefined;
}

/** The consent kind the requested scope needs, if it asks for a resource at all. */
export function consentKindFor(scope: string | undefined): ConsentKind | undefined {
  const kinds = [
    ...new Set((scope ?? '').split(' ').flatMap((s) => (KIND_BY_SCOPE[s] ? [KIND_BY_SCOPE[s]] : []))),
  ];
  if (kinds.length > 1) {
    throw new IntentError(
      'invalid_request',
      'The request asks for accounts and payments at once; one authorization covers one consent',
      'authorise account access and a payment in separate requests',
    );
  }
  return kinds[0];
}

/**
 * Whether the request authorises a payment: it asks for the payments scope, or names a domestic-payment
 * consent. Each such authorization needs strong customer authentication of its own (interaction-policy.ts).
 */
export async function isPaymentAuthorization(
  bank: BankStore,
  request: { scope: string | undefined; claims: unknown },
): Promise<boolean> {
  if ((request.scope ?? '').split(' ').includes('payments')) return true;
  const consentId = intentIdOf(request.claims);
  return consentId !== undefined && (await bank.consents.get(consentId))?.kind === 'domestic-payment';
}

/**
 * The consent this authorization request is for, checked before the customer is asked: it exists, was
 * created by this client, is of the kind the scope needs, and still awaits authorisation.
 */
export async function consentForAuthorization(
  bank: BankStore,
  request: { clientId: string; scope: string | undefined; claims: unknown },
): Promise<Consent | undefined> {
  const kind = consentKindFor(request.scope);
  if (!kind) return undefined;
  const consentId = intentIdOf(request.claims);
  if (!consentId) {
    throw new IntentError(
      'invalid_request',
      `The request asks for ${request.scope} and names no consent (${INTENT_CLAIM})`,
      `create the ${kind} consent at bank-api, then send claims={"id_token":{"${INTENT_CLAIM}":{"value":"<ConsentId>","essential":true}}}`,
    );
  }
  const consent = await bank.consents.get(consentId);
  // A consent of another client is reported as unknown: no oracle for other TPPs' consent ids.
  if (!consent || consent.clientId !== request.clientId) {
    throw new IntentError(
      'invalid_request',
      `Consent ${consentId} does not exist for this client`,
      'name a consent this client created at bank-api',
    );
  }
  if (consent.kind !== kind) {
    throw new IntentError(
      'invalid_request',
      `Consent ${consentId} is a ${consent.kind} consent, and the scope asks for ${kind}`,
      `use scope ${consent.kind === 'account-access' ? 'openid accounts' : 'openid payments'} for this consent`,
    );
  }
  if (consent.status !== 'AwaitingAuthorisation') {
    throw new IntentError(
      'invalid_request',
      `Consent ${consentId} is ${consent.status}; only a consent awaiting authorisation can be authorised`,
      'create a new consent at bank-api',
    );
  }
  return consent;
}

/**
 * extraTokenClaims: an access token from an authorization code, a refresh token or a decoupled
 * authentication (CIBA) carries the consent id,
 * and is issued only while the consent stays authorised for this customer and client.
 */
export function intentTokenClaims(bank: BankStore) {
  return async (
    ctx: { oidc: { entities: Record<string, unknown> } },
    token: { kind: string; clientId?: string; accountId?: string },
  ): Promise<Record<string, string> | undefined> => {
    if (token.kind !== 'AccessToken') return undefined;
    const { entities } = ctx.oidc;
    const source = (entities.AuthorizationCode ??
      entities.RefreshToken ??
      entities.BackchannelAuthenticationRequest) as { claims?: unknown; scope?: string } | undefined;
    const consentId = intentIdOf(source?.claims);
    if (!consentId) return undefined;
    const kind = consentKindFor(source?.scope);
    const consent = await bank.consents.get(consentId);
    const bound =
      consent &&
      consent.kind === kind &&
      consent.clientId === token.clientId &&
      consent.customerId === token.accountId &&
      consent.status === 'Authorised' &&
      !(consent.expirationDateTime && Date.parse(consent.expirationDateTime) <= Date.now());
    if (!bound) {
      throw new errors.InvalidGrant(
        composeDescription({
          description: `Consent ${consentId} is no longer authorised: ${whyConsentEnded(consent)}; the connection it authorised has ended`,
          clause: CLAUSE,
          fix: 'create a new consent and ask the customer to authorise it (connect again)',
        }),
      );
    }
    return { [INTENT_CLAIM]: consentId };
  };
}

/** Why a consent no longer authorises tokens: withdrawn (by whom, when), expired (when), or otherwise. */
function whyConsentEnded(consent: Consent | undefined): string {
  if (!consent) return 'the bank holds no such consent';
  if (consent.status === 'Revoked') {
    const by = consent.revokedBy === 'customer' ? 'the customer' : 'the TPP';
    return `it was revoked by ${by} at ${consent.statusUpdateDateTime}`;
  }
  if (consent.expirationDateTime && Date.parse(consent.expirationDateTime) <= Date.now()) {
    return `it expired at ${consent.expirationDateTime}`;
  }
  return `it is ${consent.status}, not Authorised for this customer and client`;
}

/** The openbanking_intent_id claim of the ID token, when the customer authorised that consent. */
export async function intentIdClaim(
  bank: BankStore,
  requested: Record<string, { value?: unknown } | null> | undefined,
  who: { customerId: string; clientId: string | undefined },
): Promise<Record<string, string>> {
  const consentId = requested?.[INTENT_CLAIM]?.value;
  if (typeof consentId !== 'string') return {};
  const consent = await bank.consents.get(consentId);
  if (!consent || consent.customerId !== who.customerId || consent.clientId !== who.clientId) return {};
  return { [INTENT_CLAIM]: consentId };
}
