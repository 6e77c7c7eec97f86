// What a client is registered with. The software statement fixes who the client is (name, logo, keys,
// the redirect URIs it may use); the request chooses, within what the bank allows, how it will work
// (profile, client authentication, sender constraint, response types, scopes); and the profile adds
// what it demands of every client (profiles/client-policy.ts). The result is handed to oidc-provider,
// which validates it again and stores the client.

import { sameDistinguishedName } from '@fapi-sandbox/fapi-core/certificate-identity';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { everyProfileSigningAlgs } from '@fapi-sandbox/fapi-core/jose/algorithms';
import type { JSONWebKeySet } from 'jose';
import type { SenderConstraint } from '../profiles/client-policy.js';
import {
  DEFAULT_PROFILE,
  isProfileId,
  PROFILE_METADATA,
  type ProfileDefinition,
  profiles,
} from '../profiles/index.js';
import type { VerifiedSoftwareStatement } from './software-statement.js';

export type RegistrationRequest = Record<string, unknown>;

/** Custom client metadata bank-op stores with each client (oidc-provider extraClientMetadata). */
export const EXTRA_CLIENT_METADATA = [
  PROFILE_METADATA,
  'software_id',
  'org_id',
  'software_roles',
  'software_statement',
];

const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'];
/** What the bank signs ID tokens and JARM responses with: what every FAPI profile allows. */
const ID_TOKEN_ALGS = everyProfileSigningAlgs();
/** Descriptive metadata passed through as sent (RFC 7591 §2). */
const INFORMATIONAL = ['contacts', 'client_uri', 'policy_uri', 'tos_uri'];

function invalidMetadata(description: string, clause: string, fix: string): OAuthError {
  return new OAuthError({ status: 400, error: 'invalid_client_metadata', description, clause, fix });
}

/** Scopes a software may ask for follow its directory roles (UK OB: AISP reads accounts, PISP pays). */
export function scopesForRoles(roles: readonly string[]): string[] {
  return [
    'openid',
    ...(roles.includes('AISP') ? ['accounts'] : []),
    ...(roles.includes('PISP') ? ['payments'] : []),
  ];
}

function optionalString(request: RegistrationRequest, name: string): string | undefined {
  const value = request[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw invalidMetadata(`${name} must be a string`, 'RFC 7591 §2', `send ${name} as a JSON string`);
  }
  return value;
}

function optionalStringList(request: RegistrationRequest, name: string): string[] | undefined {
  const value = request[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw invalidMetadata(
      `${name} must be an array of strings`,
      'RFC 7591 §2',
      `send ${name} as a JSON array of strings`,
    );
  }
  return value as string[];
}

function optionalBoolean(request: RegistrationRequest, name: string): boolean | undefined {
  const value = request[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') {
    throw invalidMetadata(`${name} must be true or false`, 'RFC 7591 §2', `send ${name} as a JSON boolean`);
  }
  return value;
}

/** The profile the request asks for (FAPI 2.0 when it names none). */
export function chooseProfile(request: RegistrationRequest): ProfileDefinition {
  const requested = request[PROFILE_METADATA] ?? DEFAULT_PROFILE;
  if (!isProfileId(requested)) {
    throw invalidMetadata(
      `${PROFILE_METADATA} ${JSON.stringify(requested)} is not a profile this bank offers`,
      'bank-op registration policy',
      `send ${PROFILE_METADATA} "fapi2" (FAPI 2.0 Security Profile, the default) or "fapi1-advanced" (FAPI 1.0 Advanced)`,
    );
  }
  return profiles[requested];
}

function chooseSenderConstraint(request: RegistrationRequest, profile: ProfileDefinition): SenderConstraint {
  const mtls = optionalBoolean(request, 'tls_client_certificate_bound_access_tokens');
  const dpop = optionalBoolean(request, 'dpop_bound_access_tokens');
  const clause =
    profile.id === 'fapi2' ? 'FAPI 2.0 SP §5.3.2.1-4, §5.3.2.1-5' : 'FAPI 1.0 Adv §5.2.2-5, §5.2.2-6';
  if (mtls && dpop) {
    throw invalidMetadata(
      'tls_client_certificate_bound_access_tokens and dpop_bound_access_tokens are both true',
      clause,
      'choose one sender-constraint method: mTLS certificate binding or DPoP',
    );
  }
  const chosen: SenderConstraint | undefined = mtls
    ? 'mtls'
    : dpop
      ? 'dpop'
      : profile.client.defaultSenderConstraint;
  if (!chosen) {
    throw invalidMetadata(
      `${profile.title} issues only sender-constrained access tokens, and the request chooses no method`,
      clause,
      'send tls_client_certificate_bound_access_tokens: true (RFC 8705) or dpop_bound_access_tokens: true (RFC 9449)',
    );
  }
  if (!profile.client.senderConstraints.includes(chosen)) {
    throw invalidMetadata(
      `${profile.title} binds access tokens with ${profile.client.senderConstraints.join(' or ')}, not ${chosen}`,
      clause,
      'send tls_client_certificate_bound_access_tokens: true',
    );
  }
  if (mtls === false && chosen === 'mtls') {
    throw invalidMetadata(
      `${profile.title} requires certificate-bound access tokens`,
      clause,
      'send tls_client_certificate_bound_access_tokens: true, or leave it out',
    );
  }
  return chosen;
}

export interface RegistrationContext {
  request: RegistrationRequest;
  statement: VerifiedSoftwareStatement;
  /** RFC 4514 subject of the transport certificate the registration arrived with. */
  transportSubjectDn: string;
  /** The software's JWKS from the directory (already checked against the profile). */
  softwareJwks: JSONWebKeySet;
}

/** The client metadata to register, or an invalid_client_metadata / invalid_redirect_uri error. */
export function clientMetadataFor(context: RegistrationContext): Record<string, unknown> {
  const { request, statement } = context;
  const profile = chooseProfile(request);
  const policy = profile.client;

  // RFC 7591 §2.3: the software statement's values win; its keys are the directory's (OB DCR v3.3).
  if (request.jwks !== undefined) {
    throw invalidMetadata(
      'jwks is not accepted: the client keys are the ones the directory publishes for the software',
      'OB DCR v3.3 §4.3, RFC 7591 §2.3',
      `leave jwks out; the client's jwks_uri is the SSA's software_jwks_uri (${statement.jwksUri})`,
    );
  }
  const jwksUri = optionalString(request, 'jwks_uri');
  if (jwksUri !== undefined && jwksUri !== statement.jwksUri) {
    throw invalidMetadata(
      `jwks_uri ${jwksUri} is not the SSA's software_jwks_uri`,
      'OB DCR v3.3 §4.3, RFC 7591 §2.3',
      `send jwks_uri ${statement.jwksUri} or leave it out`,
    );
  }

  const redirectUris = optionalStringList(request, 'redirect_uris') ?? statement.redirectUris;
  if (redirectUris.length === 0) {
    throw new OAuthError({
      status: 400,
      error: 'invalid_redirect_uri',
      description: 'redirect_uris is empty',
      clause: 'RFC 7591 §2',
      fix: "send one or more of the SSA's software_redirect_uris",
    });
  }
  for (const uri of redirectUris) {
    if (!statement.redirectUris.includes(uri)) {
      throw new OAuthError({
        status: 400,
        error: 'invalid_redirect_uri',
        description: `redirect_uri ${uri} is not among the SSA's software_redirect_uris`,
        clause: 'OB DCR v3.3 §4.3, RFC 7591 §2.3',
        fix: `register only URIs the directory lists for the software: ${statement.redirectUris.join(', ')}`,
      });
    }
    if (URL.parse(uri)?.protocol !== 'https:') {
      throw new OAuthError({
        status: 400,
        error: 'invalid_redirect_uri',
        description: `redirect_uri ${uri} does not use https`,
        clause: profile.id === 'fapi2' ? 'FAPI 2.0 SP §5.3.2.2-8' : 'FAPI 1.0 Part 1 §5.2.2-20',
        fix: 'use https redirect URIs',
      });
    }
  }

  const authMethod = optionalString(request, 'token_endpoint_auth_method') ?? 'private_key_jwt';
  const authClause =
    profile.id === 'fapi2' ? 'FAPI 2.0 SP §5.3.2.1-3, §5.3.2.1-6' : 'FAPI 1.0 Adv §5.2.2-14, §5.2.2-16';
  // RFC 8705 §2.2 and §3: a self-signed certificate is no transport certificate of the directory, and a
  // token is bound only to one (mtls/certificate-binding.ts), so the method is not offered.
  if (authMethod === 'self_signed_tls_client_auth') {
    throw invalidMetadata(
      'self_signed_tls_client_auth is not offered: tokens are bound only to the transport certificate the directory issued to the software, and a self-signed certificate is not one',
      'RFC 8705 §2.2 and §3, OB DCR v3.3 §4.2',
      'use tls_client_auth with your transport certificate, or private_key_jwt',
    );
  }
  if (!(policy.clientAuthMethods as readonly string[]).includes(authMethod)) {
    throw invalidMetadata(
      `token_endpoint_auth_method ${authMethod} is not allowed by ${profile.title}`,
      authClause,
      `use one of ${policy.clientAuthMethods.join(', ')}`,
    );
  }

  const senderConstraint = chooseSenderConstraint(request, profile);

  const responseTypes = optionalStringList(request, 'response_types') ?? [...policy.responseTypes.default];
  for (const responseType of responseTypes) {
    const normalised = responseType.split(' ').sort().join(' ');
    if (!policy.responseTypes.allowed.some((allowed) => allowed.split(' ').sort().join(' ') === normalised)) {
      throw invalidMetadata(
        `response_type "${responseType}" is not allowed by ${profile.title}`,
        profile.id === 'fapi2' ? 'FAPI 2.0 SP §5.3.2.2-1' : 'FAPI 1.0 Adv §5.2.2-2',
        `use ${policy.responseTypes.allowed.map((type) => `"${type}"`).join(' or ')}`,
      );
    }
  }

  const grantTypes = optionalStringList(request, 'grant_types') ?? GRANT_TYPES;
  const unsupportedGrant = grantTypes.find((grant) => !GRANT_TYPES.includes(grant));
  if (unsupportedGrant) {
    throw invalidMetadata(
      `grant_type ${unsupportedGrant} is not offered`,
      profile.id === 'fapi2' ? 'FAPI 2.0 SP §5.3.2.1-2' : 'RFC 7591 §2',
      `use grant types among ${GRANT_TYPES.join(', ')}`,
    );
  }

  const allowedScopes = scopesForRoles(statement.roles);
  const scope = optionalString(request, 'scope') ?? allowedScopes.join(' ');
  const beyondRoles = scope.split(' ').filter((value) => value && !allowedScopes.includes(value));
  if (beyondRoles.length > 0) {
    throw invalidMetadata(
      `scope ${beyondRoles.join(' ')} is beyond the software's directory roles (${statement.roles.join(', ')})`,
      'OB DCR v3.3 §4.3',
      `ask only for ${allowedScopes.join(' ')}`,
    );
  }

  const algorithm = (name: string, allowed: readonly string[], fallback?: string): string | undefined => {
    const value = optionalString(request, name) ?? fallback;
    if (value !== undefined && !allowed.includes(value)) {
      throw invalidMetadata(
        `${name} ${value} is not allowed by ${profile.title}`,
        profile.id === 'fapi2' ? 'FAPI 2.0 SP §5.4.1-1' : 'FAPI 1.0 Adv §8.6-1',
        `use one of ${allowed.join(', ')}`,
      );
    }
    return value;
  };
  const signingAlgs = policy.signingAlgs as readonly string[];

  const metadata: Record<string, unknown> = {
    [PROFILE_METADATA]: profile.id,
    application_type: 'web',
    client_name: statement.clientName,
    ...(statement.logoUri ? { logo_uri: statement.logoUri } : {}),
    jwks_uri: statement.jwksUri,
    redirect_uris: redirectUris,
    response_types: responseTypes,
    grant_types: grantTypes,
    scope,
    token_endpoint_auth_method: authMethod,
    id_token_signed_response_alg: algorithm('id_token_signed_response_alg', ID_TOKEN_ALGS, 'PS256'),
    authorization_signed_response_alg: algorithm('authorization_signed_response_alg', ID_TOKEN_ALGS, 'PS256'),
    // OIDC Core §2: ID tokens carry auth_time (with acr) so the TPP sees when the customer authenticated.
    require_auth_time: true,
    require_pushed_authorization_requests:
      policy.requirePushedAuthorizationRequests ||
      optionalBoolean(request, 'require_pushed_authorization_requests') === true,
    require_signed_request_object:
      policy.requireSignedRequestObject || optionalBoolean(request, 'require_signed_request_object') === true,
    software_id: statement.softwareId,
    org_id: statement.orgId,
    software_roles: statement.roles,
    software_statement: request.software_statement,
  };
  if (senderConstraint === 'mtls') metadata.tls_client_certificate_bound_access_tokens = true;
  else metadata.dpop_bound_access_tokens = true;

  const assertionAlg = algorithm('token_endpoint_auth_signing_alg', signingAlgs);
  if (assertionAlg && authMethod === 'private_key_jwt')
    metadata.token_endpoint_auth_signing_alg = assertionAlg;
  const requestObjectAlg = algorithm('request_object_signing_alg', signingAlgs);
  if (requestObjectAlg) metadata.request_object_signing_alg = requestObjectAlg;
  const useAliases = optionalBoolean(request, 'use_mtls_endpoint_aliases');
  if (useAliases !== undefined) metadata.use_mtls_endpoint_aliases = useAliases;

  if (authMethod === 'tls_client_auth') {
    // RFC 8705 §2.1.2: the client is known by its certificate's subject, the transport certificate's.
    const requested = optionalString(request, 'tls_client_auth_subject_dn');
    if (requested !== undefined && !sameDistinguishedName(requested, context.transportSubjectDn)) {
      throw invalidMetadata(
        `tls_client_auth_subject_dn ${requested} is not the subject of the transport certificate this registration arrived with`,
        'RFC 8705 §2.1.2',
        `send ${context.transportSubjectDn}, or leave it out`,
      );
    }
    metadata.tls_client_auth_subject_dn = context.transportSubjectDn;
  }
  for (const name of INFORMATIONAL) {
    if (request[name] !== undefined) metadata[name] = request[name];
  }
  return metadata;
}
