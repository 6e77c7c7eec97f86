// Rich Authorization Requests (RFC 9396) for FAPI 2.0 clients: a payment or account access authorised by
// the `authorization_details` of the pushed request instead of an intent created at bank-api first. The
// types and their schemas are the bank's domain (bank-domain/authorization-details.ts); here, oidc-provider's
// hooks: which details a request may carry (§5), what the customer granted goes on the code, the access
// token (§7) and the introspection answer (§9), and a token request may not change them (§6.1).
import {
  AUTHORIZATION_DETAILS_TYPES,
  canonicalJson,
  firstIssue,
  type GrantedDetail,
  PAYMENT_INITIATION,
  type RequestedDetail,
  requestedDetailSchema,
} from '@fapi-sandbox/bank-domain';
import { composeDescription } from '@fapi-sandbox/fapi-core/errors';
import { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { profileOf } from '../profiles/index.js';

/** RFC 9396 §10 authorization_details_types: what a client may send (the client default). */
export const RICH_AUTHORIZATION_TYPES = [...AUTHORIZATION_DETAILS_TYPES];

type RarFeature = NonNullable<NonNullable<Configuration['features']>['richAuthorizationRequests']>;

const refuse = (description: string, clause: string, fix: string) =>
  new errors.InvalidAuthorizationDetails(composeDescription({ description, clause, fix }));

/** The scope each type of detail refines (RFC 9396 §3.1: scope and details in one request). */
const SCOPE_OF: Record<RequestedDetail['type'], string> = {
  payment_initiation: 'payments',
  account_information: 'accounts',
};

/** The authorization_details of a request's parameters (JSON text, or already parsed), if any. */
export function detailsParameterOf(params: Record<string, unknown> | undefined): unknown[] | undefined {
  const value = params?.authorization_details;
  if (value === undefined) return undefined;
  const parsed = typeof value === 'string' ? JSON.parse(value) : value;
  return Array.isArray(parsed) && parsed.length > 0 ? parsed : undefined;
}

/**
 * The one detail a request for the customer carries, checked against its type's schema. The bank's
 * consent pages and the validation at PAR both read it through here.
 */
export function requestedDetailOf(params: Record<string, unknown> | undefined): RequestedDetail | undefined {
  const [first] = detailsParameterOf(params) ?? [];
  if (first === undefined) return undefined;
  const parsed = requestedDetailSchema.safeParse(first);
  return parsed.success ? parsed.data : undefined;
}

/** RFC 9396 §5: each detail conforms to its type's definition, or the request is refused. */
async function validate(ctx: KoaContextWithOIDC, detail: unknown, client: unknown): Promise<void> {
  const type = (detail as { type: string }).type;
  // RFC 9396 §5 lets an AS decide which clients may use which types: here, FAPI 2.0 clients.
  if (profileOf(client as never).id !== 'fapi2') {
    throw refuse(
      `authorization_details (${type}) are offered to FAPI 2.0 clients only; this client is registered for ${profileOf(client as never).id}`,
      'RFC 9396 §5',
      'create a UK OB consent at bank-api and name it in the claims parameter, or register a FAPI 2.0 client',
    );
  }
  const parsed = requestedDetailSchema.safeParse(detail);
  if (!parsed.success) {
    throw refuse(
      `The ${type} authorization detail does not conform to its type: ${firstIssue(parsed.error)}`,
      'RFC 9396 §5',
      `send ${type} as authorization_details_types_supported documents it (see GET /.well-known/openid-configuration and the README)`,
    );
  }
  // The request's own parameters are checked at PAR and at the authorization endpoint, not at the token endpoint.
  const route = ctx.oidc.route;
  if (route !== 'pushed_authorization_request' && route !== 'authorization') return;
  const all = detailsParameterOf(ctx.oidc.params as Record<string, unknown>) ?? [];
  if (all.length !== 1) {
    throw refuse(
      `The request carries ${all.length} authorization details; one authorization covers one payment or one account access`,
      'RFC 9396 §5 (bank policy)',
      'send one detail per pushed authorization request',
    );
  }
  const scope = String(ctx.oidc.params?.scope ?? '').split(' ');
  const needed = SCOPE_OF[parsed.data.type];
  if (!scope.includes(needed)) {
    throw refuse(
      `A ${parsed.data.type} detail refines scope ${needed}, and the request asks for scope '${scope.join(' ')}'`,
      'RFC 9396 §3.1',
      `ask for scope openid ${needed} with a ${parsed.data.type} detail`,
    );
  }
}

/** The granted details without what the bank added when the customer chose (RFC 9396 §7): what was asked. */
function asRequested(detail: GrantedDetail): RequestedDetail {
  if (detail.type === PAYMENT_INITIATION) {
    const { debtorAccount: _chosen, ...requested } = detail;
    return requested;
  }
  const { accounts: _chosen, ...requested } = detail;
  return requested;
}

export function richAuthorizationRequests(): RarFeature {
  return {
    enabled: true,
    types: Object.fromEntries(AUTHORIZATION_DETAILS_TYPES.map((type) => [type, { validate }])),
    // The code carries what the customer granted on the consent page (interactions/authorization-details.ts).
    authorizationDetailsForGrantSource: async (ctx) => ctx.oidc.grant?.rar,
    // RFC 9396 §7: the access token carries the granted details; RFC 9396 §6.1: a token request may name
    // them again, never other ones.
    authorizationDetailsForAccessToken: async (ctx, _token, source, grantType) => {
      const granted = (source as { rar?: GrantedDetail[] } | undefined)?.rar;
      const asked = detailsParameterOf(ctx.oidc.params as Record<string, unknown>);
      if (asked && !granted) {
        throw refuse(
          `authorization_details at the ${grantType} grant: this bank grants details only through the customer's consent`,
          'RFC 9396 §6',
          'send authorization_details in the pushed authorization request',
        );
      }
      if (asked && granted && canonicalJson(asked) !== canonicalJson(granted.map(asRequested))) {
        throw refuse(
          'The token request names authorization_details other than those the customer granted for this code',
          'RFC 9396 §6.1',
          'send no authorization_details at the token endpoint, or exactly those of the pushed request',
        );
      }
      return granted;
    },
    // RFC 9396 §9: the resource server learns the granted details from introspection too.
    authorizationDetailsForIntrospection: async (_ctx, token) => (token as { rar?: unknown[] }).rar,
  } as RarFeature;
}
