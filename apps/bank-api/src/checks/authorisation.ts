// Check 4: what the token authorises covers this call (FAPI 2.0 SP §5.3.4-4, FAPI 1.0 Part 1 §6.2.1-5/-7):
// the scope, the kind of grant, and for customer data the consent named by openbanking_intent_id —
// this client's, Authorised (a consent revoked by the customer or the TPP stops access at once), not
// expired, its permissions covering the endpoint, and the account among those the customer shared.
import type { BankStore, Consent, ConsentStatus } from '@fapi-sandbox/bank-domain';
import { isBankDomainError } from '@fapi-sandbox/bank-domain';
import { consentOfGrantedDetails } from './authorization-details.js';
import { refuse } from './challenge.js';
import type { Check, PipelineContext } from './context.js';

export interface AuthorisationCheckOptions {
  store: BankStore;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

const KIND = { accounts: 'account-access', payments: 'domestic-payment' } as const;

function insufficient(ctx: PipelineContext, description: string, clause: string, fix: string) {
  return refuse(ctx.credentials!.scheme, {
    status: 403,
    error: 'insufficient_scope',
    description,
    clause,
    fix,
    challengeParams: { scope: ctx.requirement.scope },
  });
}

async function consentOf(
  ctx: PipelineContext,
  options: AuthorisationCheckOptions,
  consentId: string,
): Promise<Consent> {
  const token = ctx.token!;
  try {
    return await options.store.consents.getForClient(consentId, token.client_id, KIND[ctx.requirement.scope]);
  } catch (err) {
    if (isBankDomainError(err) && err.code === 'ConsentNotFound') {
      throw insufficient(
        ctx,
        `The token's consent ${consentId} is not a ${KIND[ctx.requirement.scope]} consent of client ${token.client_id}`,
        'FAPI 1.0 Part 1 §6.2.1-6/-7, UK OB R/W API v3.1 Security & Access Control',
        `use a token issued for one of your own ${KIND[ctx.requirement.scope]} consents`,
      );
    }
    throw err;
  }
}

/** The consent's permissions cover the endpoint and its account is among those shared; it becomes the call's consent. */
function covers(ctx: PipelineContext, consent: Consent): string {
  const requirement = ctx.requirement;
  // UK OB v3.1 Account and Transaction API, Permissions: each endpoint needs its permission codes.
  for (const anyOf of requirement.permissions ?? []) {
    if (!anyOf.some((p) => consent.permissions?.includes(p))) {
      throw insufficient(
        ctx,
        `Consent ${consent.consentId} grants ${consent.permissions?.join(', ') || 'no permissions'}; this endpoint needs ${anyOf.join(' or ')}`,
        'UK OB v3.1 Account and Transaction API, Permissions',
        `create a consent whose Permissions include ${anyOf.join(' or ')}`,
      );
    }
  }
  // FAPI 1.0 Part 1 §6.2.1-7: only the accounts the customer chose for this consent.
  if (requirement.accountParam) {
    const accountId = ctx.params[requirement.accountParam] ?? '';
    if (!consent.accountIds?.includes(accountId)) {
      throw insufficient(
        ctx,
        `Account ${accountId} is not one of the accounts the customer shared under consent ${consent.consentId}`,
        'FAPI 1.0 Part 1 §6.2.1-7, UK OB v3.1 Account and Transaction API',
        `call only for accounts listed by GET /accounts (${consent.accountIds?.join(', ') ?? 'none'})`,
      );
    }
  }
  ctx.consent = consent;
  return `scope ${requirement.scope}; consent ${consent.consentId} ${consent.status}${consent.permissions ? `, permissions ${consent.permissions.join(' ')}` : ''}${requirement.accountParam ? `; account ${ctx.params[requirement.accountParam]} in the consent` : ''}`;
}

export function authorisationCheck(options: AuthorisationCheckOptions): Check {
  const now = options.now ?? Date.now;
  return {
    name: 'Authorisation: scope, grant and consent',
    clause: 'FAPI 2.0 SP §5.3.4-4, FAPI 1.0 Part 1 §6.2.1-5/-7, RFC 6750 §3.1',
    async run(ctx) {
      const requirement = ctx.requirement;
      const token = ctx.token!;
      // RFC 6750 §3.1 / FAPI 1.0 Part 1 §6.2.1-5: the scope authorises this API.
      if (!token.scopes.includes(requirement.scope)) {
        throw insufficient(
          ctx,
          `The token's scope '${token.scopes.join(' ')}' does not include '${requirement.scope}'`,
          'RFC 6750 §3.1, FAPI 1.0 Part 1 §6.2.1-5',
          `request a token with scope ${requirement.scope}`,
        );
      }
      const intent = token.openbanking_intent_id;
      if (requirement.grant === 'client_credentials') {
        // UK OB v3.1: consents are created and read by the TPP itself, with a client-credentials token.
        if (intent !== undefined || token.authorization_details !== undefined) {
          throw insufficient(
            ctx,
            "This endpoint takes a client-credentials token (the TPP acting for itself); this token carries a customer's consent",
            'UK OB R/W API v3.1 Security & Access Control (grant types per endpoint)',
            `obtain a token with grant_type=client_credentials and scope ${requirement.scope}`,
          );
        }
        return `scope ${requirement.scope}; client-credentials token of ${token.client_id}`;
      }

      // RFC 9396 §7: no intent; the consent is the authorization_details the token carries.
      if (intent === undefined && token.authorization_details !== undefined) {
        const { consent, detail } = consentOfGrantedDetails(ctx);
        ctx.grantedDetail = detail;
        return `${covers(ctx, consent)}; granted by authorization_details (${detail.type}), RFC 9396 §7`;
      }
      // FAPI 1.0 Part 1 §6.2.1-6: the resource is identified by the consent the customer authorised.
      if (intent === undefined) {
        throw insufficient(
          ctx,
          "This endpoint needs a token issued with the customer's consent (openbanking_intent_id); this is a client-credentials token",
          'UK OB R/W API v3.1 Security & Access Control, FAPI 1.0 Part 1 §6.2.1-6',
          'run the authorization code flow with the consent id in the openbanking_intent_id claim',
        );
      }
      const consent = await consentOf(ctx, options, intent);
      const allowed: readonly ConsentStatus[] = requirement.allowedConsentStatuses ?? ['Authorised'];
      if (!allowed.includes(consent.status)) {
        // FAPI 2.0 SP §5.3.4-3: revocation stops access at once, whoever revoked.
        const revoked = consent.status === 'Revoked' || consent.status === 'Rejected';
        throw refuse(ctx.credentials!.scheme, {
          status: revoked ? 401 : 403,
          error: revoked ? 'invalid_token' : 'insufficient_scope',
          description: `Consent ${consent.consentId} is ${consent.status}${consent.revokedBy ? ` (revoked by the ${consent.revokedBy === 'tpp' ? 'TPP' : 'customer'})` : ''}; this call needs it ${allowed.join(' or ')}`,
          clause: revoked ? 'FAPI 2.0 SP §5.3.4-3, UK OB v3.1 consent status' : 'UK OB v3.1 consent status',
          fix: revoked
            ? 'create a new consent and ask the customer to authorise it'
            : 'use a consent the customer has authorised and not yet used',
        });
      }
      if (consent.expirationDateTime && Date.parse(consent.expirationDateTime) <= now()) {
        throw refuse(ctx.credentials!.scheme, {
          status: 401,
          error: 'invalid_token',
          description: `Consent ${consent.consentId} expired at ${consent.expirationDateTime}`,
          clause: 'UK OB v3.1 Account Access Consents (ExpirationDateTime), FAPI 2.0 SP §5.3.4-3',
          fix: 'create a new consent and ask the customer to authorise it',
        });
      }
      return covers(ctx, consent);
    },
  };
}
