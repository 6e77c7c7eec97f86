// oidc-provider's configuration for the bank: configuration as data, each setting with the rule it
// implements. The FAPI values are not written here: they are read from the profiles (profiles/*.ts,
// `client` and `provider`), per client wherever oidc-provider asks per client (ttl, pkce,
// features.fapi.profile), and as the union or the one shared value where it takes one setting for every
// client. The registration policy wrote the profile's demands into each client record.
import type { BankStore } from '@fapi-sandbox/bank-domain';
import { sameDistinguishedName } from '@fapi-sandbox/fapi-core/certificate-identity';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { composeDescription } from '@fapi-sandbox/fapi-core/errors';
import { contentEncryptionAlgs, keyManagementAlgs } from '@fapi-sandbox/fapi-core/jose/encryption';
import type { JSONWebKeySet } from 'jose';
import { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { CertificateBinding } from '../mtls/certificate-binding.js';
import type { CertificateSource } from '../mtls/client-certificate.js';
import { participantTokenClaims, profileTokenClaim } from '../participants/token-claims.js';
import {
  DEFAULT_PROFILE,
  isProfileId,
  PROFILE_METADATA,
  profileOf,
  profiles,
  settingOfEveryProfile,
  unionOfProfiles,
} from '../profiles/index.js';
import { EXTRA_CLIENT_METADATA } from '../registration/metadata-policy.js';
import type { OidcStore } from '../storage/oidc-store.js';
import { accessTokenFormatOf, assertAccessTokenFormat } from './access-token-format.js';
import type { BankAppInbox } from './bank-app-inbox.js';
import { cibaFeature } from './ciba.js';
import { discoveryMetadata, ROUTES } from './discovery.js';
import { INTENT_CLAIM, intentIdClaim, intentTokenClaims, SCA_ACR } from './intent.js';
import { interactionPrompts } from './interaction-policy.js';
import { assertClientAssertion, assertRequestObject } from './jwt-checks.js';
import type { ServerSecrets } from './keys-and-secrets.js';
import { requireNonceOrState } from './nonce-or-state.js';
import { isResourceServer, resourceServerClient } from './resource-server-client.js';
import { RICH_AUTHORIZATION_TYPES, richAuthorizationRequests } from './rich-authorization.js';
import { grantIdClaim } from './token-revocation.js';

export interface ConfigurationDependencies {
  config: SandboxConfig;
  bank: BankStore;
  store: OidcStore;
  signingJwks: JSONWebKeySet;
  /** The bank's decryption keys (use enc): published with the signing keys at jwks_uri. */
  encryptionJwks: JSONWebKeySet;
  secrets: ServerSecrets;
  certificates: CertificateSource;
  /** Which certificate a token may be bound to (mtls/certificate-binding.ts). */
  certificateBinding: CertificateBinding;
  fetch: NonNullable<Configuration['fetch']>;
  /** Where decoupled authentication requests wait for the customer's bank app (FAPI-CIBA). */
  bankAppInbox: BankAppInbox;
  renderError: NonNullable<Configuration['renderError']>;
}

const MINUTE = 60;

/**
 * How long a connection lasts without the customer confirming it again: the grant, which oidc-provider
 * cannot size per client, lives as long as the longest refresh token of any profile (the consent page
 * says so). A consent's own ExpirationDateTime or withdrawal ends it sooner.
 */
export const GRANT_LIFETIME_SECONDS = Math.max(
  ...Object.values(profiles).map((profile) => profile.provider.tokens.refreshToken),
);

/** The resource server every access token is for (RFC 8707 resource indicator, RFC 9068 aud). */
export function bankApiResource(config: SandboxConfig): string {
  return config.bankApi.web.origin;
}

type ClientLike = { [PROFILE_METADATA]?: unknown } | undefined;

/** The provider settings of the client's profile (FAPI 2.0 when there is no client). */
const settingsOf = (client: unknown) => profileOf(client as ClientLike).provider;

/**
 * OIDC Core §5.3.1, RFC 8707 §2.2: a refresh-token request for scope=openid alone, naming no resource,
 * gets an access token for the userinfo endpoint (no audience) instead of one for bank-api.
 */
function asksForUserinfoToken(ctx: KoaContextWithOIDC): boolean {
  const params = ctx.oidc.params as Record<string, unknown> | undefined;
  return params?.grant_type === 'refresh_token' && params.scope === 'openid' && !params.resource;
}

export function providerConfiguration(deps: ConfigurationDependencies): Configuration {
  const { config, bank, certificates } = deps;
  const resource = bankApiResource(config);
  const intentClaims = intentTokenClaims(bank);
  const defaultPolicy = profiles[DEFAULT_PROFILE].client;
  const clientSigningAlgs = unionOfProfiles((profile) => profile.client.signingAlgs);
  const bankSigningAlgs = unionOfProfiles((profile) => profile.client.bankSigningAlgs);
  const offers = (constraint: 'mtls' | 'dpop' | 'none') =>
    unionOfProfiles((profile) => profile.client.senderConstraints).includes(constraint);

  return {
    adapter: (model: string) => deps.store.adapterFor(model),
    jwks: { keys: [...deps.signingJwks.keys, ...deps.encryptionJwks.keys] } as Configuration['jwks'],
    routes: ROUTES,
    discovery: discoveryMetadata(config),
    // bank-api, as the resource server that introspects opaque access tokens (RFC 7662 §2.1).
    clients: [resourceServerClient(config, bankSigningAlgs[0]!)],

    // FAPI 2.0 SP §5.3.2.1-3/6, FAPI 1.0 Adv §5.2.2-14/16: confidential clients, asymmetric or mTLS auth.
    // Not self_signed_tls_client_auth (RFC 8705 §2.2): tokens are bound only to directory transport certificates.
    clientAuthMethods: unionOfProfiles((profile) => profile.client.clientAuthMethods),
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: [...defaultPolicy.responseTypes.default],
      token_endpoint_auth_method: defaultPolicy.clientAuthMethods[0],
      id_token_signed_response_alg: defaultPolicy.bankSigningAlgs[0],
      authorization_signed_response_alg: defaultPolicy.bankSigningAlgs[0],
      // RFC 9701 §5: a signed introspection response uses a FAPI algorithm (oidc-provider's default is RS256).
      introspection_signed_response_alg: defaultPolicy.bankSigningAlgs[0],
      // RFC 9396 §10: every client may use the bank's types; provider/rich-authorization.ts narrows to FAPI 2.0.
      authorization_details_types: RICH_AUTHORIZATION_TYPES,
    },
    extraClientMetadata: {
      properties: EXTRA_CLIENT_METADATA,
      validator(_ctx, key, value) {
        if (key === PROFILE_METADATA && value !== undefined && !isProfileId(value)) {
          throw new errors.InvalidClientMetadata(
            `${PROFILE_METADATA} must be one of ${Object.keys(profiles).join(', ')}`,
          );
        }
        if (key === 'access_token_format') assertAccessTokenFormat(value);
      },
    },
    // FAPI 2.0 SP §5.3.2.2-1 (code) and FAPI 1.0 Adv §5.2.2-2 (code id_token, or code with JARM).
    responseTypes: unionOfProfiles((profile) => profile.client.responseTypes.allowed),
    // FAPI 1.0 Part 1 §5.2.2.2-1/§5.2.2.3-1 for Baseline clients (oidc-provider checks it only in FAPI mode).
    extraParams: { nonce: requireNonceOrState },
    scopes: ['openid', 'accounts', 'payments'],
    claims: { openid: ['sub'], acr: null, auth_time: null, [INTENT_CLAIM]: null },
    acrValues: [SCA_ACR, 'urn:openbanking:psd2:ca'],
    // FAPI 2.0 SP §5.3.2.2-6, FAPI 1.0 Part 1 §5.2.2-9: redirect_uri always sent, never defaulted.
    allowOmittingSingleRegisteredRedirectUri: false,
    // FAPI 2.0 SP §5.3.2.1-13: iat/nbf up to 10 s ahead accepted, more than 60 s refused.
    clockTolerance: settingOfEveryProfile(
      'clockToleranceSeconds',
      (profile) => profile.provider.clockToleranceSeconds,
    ),
    // FAPI 2.0 SP §5.4.1-1 / FAPI 1.0 Adv §8.6: PS256, ES256 (and EdDSA, also named Ed25519 by RFC 9864,
    // for FAPI 2.0); never RS256 or none. The union of the profiles' lists; per-profile narrowing
    // (FAPI 1.0: no EdDSA) happens in provider/jwt-checks.ts.
    enabledJWA: {
      clientAuthSigningAlgValues: clientSigningAlgs,
      requestObjectSigningAlgValues: clientSigningAlgs,
      idTokenSigningAlgValues: bankSigningAlgs,
      authorizationSigningAlgValues: bankSigningAlgs,
      introspectionSigningAlgValues: bankSigningAlgs,
      userinfoSigningAlgValues: bankSigningAlgs,
      dPoPSigningAlgValues: clientSigningAlgs,
      // RFC 9101 §6.1, OIDC Core §10.2: RSA-OAEP-256 or ECDH-ES with A256GCM (fapi-core's one list); the
      // request object algs are those of the bank's enc keys, so discovery lists exactly what it decrypts.
      requestObjectEncryptionAlgValues: [...keyManagementAlgs],
      requestObjectEncryptionEncValues: [...contentEncryptionAlgs],
      idTokenEncryptionAlgValues: [...keyManagementAlgs],
      idTokenEncryptionEncValues: [...contentEncryptionAlgs],
      authorizationEncryptionAlgValues: [...keyManagementAlgs],
      authorizationEncryptionEncValues: [...contentEncryptionAlgs],
    },
    assertJwtClientAuthClaimsAndHeader: assertClientAssertion,
    pkce: {
      // FAPI 2.0 SP §5.3.2.2-5: always; FAPI 1.0 Adv §5.2.2-18: on pushed requests. S256 only, always.
      required: (ctx: KoaContextWithOIDC, client) =>
        profileOf(client as ClientLike).client.pkce === 'always' ||
        ctx.oidc.route === 'pushed_authorization_request',
    },
    ttl: {
      // FAPI 2.0 SP §5.3.2.1-11: authorization codes live at most 60 seconds.
      AuthorizationCode: (_ctx, _code, client) => settingsOf(client).authorizationCodeSeconds,
      // FAPI 1.0 Part 1 §5.2.2-21: short-lived access tokens, refreshed with the refresh token.
      AccessToken: (_ctx, _token, client) => settingsOf(client).tokens.accessToken,
      ClientCredentials: (_ctx, _token, client) => settingsOf(client).tokens.clientCredentials,
      IdToken: (_ctx, _token, client) => settingsOf(client).tokens.idToken,
      RefreshToken: (_ctx, _token, client) => settingsOf(client).tokens.refreshToken,
      // CIBA §7.3 expires_in: the profile's lifetime, or the client's shorter requested_expiry (CIBA §7.1).
      BackchannelAuthenticationRequest: (ctx, _request, client) => {
        const lifetime = profileOf(client as ClientLike).client.ciba?.requestSeconds ?? 0;
        const requested = Number((ctx?.oidc?.params as { requested_expiry?: unknown })?.requested_expiry);
        return requested > 0 ? Math.min(requested, lifetime) : lifetime;
      },
      // oidc-provider does not pass the client here: a grant lives as long as the longest refresh token.
      Grant: GRANT_LIFETIME_SECONDS,
      // The customer's sign-in at the bank, not a FAPI value: the same for every client.
      Interaction: 10 * MINUTE,
      Session: 60 * MINUTE,
    },
    // FAPI 2.0 SP §5.3.2.1-9: refresh tokens are not rotated.
    rotateRefreshToken: false,
    // A connection lives as long as its consent (OB Read/Write API v3.1 §Consent), not as long as the
    // customer's browser session at the bank: no token is session-bound (oidc-provider binds them unless
    // offline_access is granted), so another customer signing in, a payment's fresh sign-in or the end of
    // the session leave the grant alone. Withdrawing or expiring the consent ends it (provider/intent.ts).
    expiresWithSession: async () => false,
    // Account access lasts; a payment consent is used once, so its grant gets no refresh token.
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') &&
      (code.kind === 'AuthorizationCode' || code.kind === 'BackchannelAuthenticationRequest') &&
      code.scopes.has('accounts'),
    // Every authorization is for a new consent (UK OB intent): never reuse an earlier grant silently.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId;
      return grantId ? ctx.oidc.provider.Grant.find(grantId) : undefined;
    },
    async findAccount(ctx, sub) {
      const customer = await bank.customers.get(sub);
      if (!customer) return undefined;
      return {
        accountId: customer.customerId,
        async claims(_use, _scope, requested) {
          return {
            sub: customer.customerId,
            ...(await intentIdClaim(bank, requested as never, {
              customerId: customer.customerId,
              clientId: ctx.oidc.client?.clientId,
            })),
          };
        },
      };
    },
    // Access tokens name the client's directory participant (software_id, org_id) for every grant, so
    // bank-api can ask the directory at each call; customer grants also name the consent.
    // They also name their grant, so bank-api refuses them once it is revoked (provider/token-revocation.ts).
    extraTokenClaims: async (ctx, token) => ({
      ...participantTokenClaims(ctx, token),
      ...profileTokenClaim(ctx, token),
      ...grantIdClaim(token as never),
      ...(await intentClaims(ctx as never, token as never)),
    }),
    interactions: {
      policy: interactionPrompts(bank),
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    cookies: {
      keys: deps.secrets.cookieKeys,
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    renderError: deps.renderError,
    fetch: deps.fetch,
    acceptQueryParamAccessTokens: false,

    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: false },
      // OIDC Core §5.3. UK OB authorization requests name the consent in claims.userinfo too, so the
      // endpoint exists and is advertised. It takes only a token meant for it: one the client gets by
      // refreshing with scope=openid alone (see useGrantedResource); the tokens for bank-api (their
      // audience) are refused there, and the ID token carries the same claims (sub, acr, openbanking_intent_id).
      userinfo: { enabled: true },
      // Encrypted request objects in, encrypted ID tokens and JARM responses out (provider/request-object-encryption.ts).
      encryption: { enabled: true },
      fapi: {
        enabled: true,
        profile: (_ctx: KoaContextWithOIDC, client) =>
          client ? profileOf(client as ClientLike).client.oidcProviderProfile : undefined,
      },
      // RFC 9126. FAPI 2.0 clients are registered with require_pushed_authorization_requests: true;
      // redirect URIs in PAR must still be registered ones (FAPI 2.0 SP §5.3.2.2-6, exact match).
      pushedAuthorizationRequests: {
        enabled: true,
        requirePushedAuthorizationRequests: false,
        allowUnregisteredRedirectUris: false,
      },
      // RFC 9101. FAPI 1.0 Advanced clients are registered with require_signed_request_object: true.
      requestObjects: {
        enabled: true,
        requireSignedRequestObject: false,
        assertJwtClaimsAndHeader: assertRequestObject,
      },
      // JARM, for FAPI 1.0 Advanced response_type=code with response_mode=jwt.
      jwtResponseModes: { enabled: Object.values(profiles).some((profile) => profile.provider.jarm) },
      // RFC 8705: mutual-TLS client authentication and certificate-bound access tokens. The certificate
      // comes from the mTLS listener's TLS socket (mtls/client-certificate.ts); at the token endpoint only
      // a transport certificate the directory issued to the client's own software (RFC 8705 §3, OB DCR
      // v3.3 §4.2) is handed on to be bound (mtls/certificate-binding.ts).
      mTLS: {
        enabled: true,
        certificateBoundAccessTokens: offers('mtls'),
        tlsClientAuth: true,
        selfSignedTlsClientAuth: false,
        getCertificate: (ctx) => deps.certificateBinding.certificateFor(ctx) as never,
        certificateAuthorized: (ctx) => certificates.certificateOf(ctx.req)?.issuedByDirectory === true,
        certificateSubjectMatches: (ctx, property, expected) => {
          const presented = certificates.certificateOf(ctx.req);
          return (
            property === 'tls_client_auth_subject_dn' &&
            presented !== undefined &&
            sameDistinguishedName(presented.identity.subjectDn, expected)
          );
        },
      },
      // RFC 9449 with server nonces (§8) at the authorization server (FAPI 2.0 SP §5.3.2.1-10).
      dPoP: {
        enabled: offers('dpop'),
        nonceSecret: deps.secrets.dpopNonceSecret,
        requireNonce: (ctx: KoaContextWithOIDC) => settingsOf(ctx.oidc.client).dpopNonceRequired,
        allowReplay: false,
      },
      // CIBA Core 1.0 as FAPI-CIBA profiles it, for FAPI 1.0 Advanced clients that register its grant.
      ciba: cibaFeature({ bank, inbox: deps.bankAppInbox }),
      // RFC 9396: a FAPI 2.0 payment or account access authorised by authorization_details in the pushed
      // request instead of an intent (provider/rich-authorization.ts); discovery lists the types.
      richAuthorizationRequests: richAuthorizationRequests(),
      // UK OB: a TPP creates consents at bank-api with a client-credentials token.
      clientCredentials: { enabled: true },
      claimsParameter: { enabled: true },
      // RFC 7662 §2.1: bank-api, the resource server, introspects the opaque access tokens addressed to it
      // (any client's); a TPP only its own refresh tokens. JWT access tokens are self-contained (RFC 9068)
      // and are never introspected.
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) =>
          isResourceServer(client)
            ? token.kind !== 'RefreshToken' && [token.aud].flat().includes(resource)
            : token.kind === 'RefreshToken' && token.clientId === client.clientId,
      },
      // RFC 9701: the introspection response as a JWT bank-op signs, for a client that asks with
      // Accept: application/token-introspection+jwt (bank-api does).
      jwtIntrospection: { enabled: true },
      // RFC 7009 §2.1: a client revokes only tokens issued to it.
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => {
          if (token.clientId !== client.clientId) {
            throw new errors.InvalidRequest(
              composeDescription({
                description: 'The token was issued to another client',
                clause: 'RFC 7009 §2.1',
                fix: 'revoke only tokens issued to this client',
              }),
            );
          }
          return true;
        },
      },
      // RFC 7591 and RFC 7592, behind registration/gate.ts.
      registration: { enabled: true, initialAccessToken: false, issueRegistrationAccessToken: true },
      registrationManagement: { enabled: true, rotateRegistrationAccessToken: true },
      // RFC 8707: every access token is for bank-api; a JWT signed PS256 (RFC 9068) unless the client chose
      // opaque tokens, which bank-api introspects (provider/access-token-format.ts).
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => resource,
        useGrantedResource: async (ctx) => !asksForUserinfoToken(ctx),
        getResourceServerInfo: async (_ctx, indicator, client) => {
          if (indicator !== resource) {
            throw new errors.InvalidTarget(`the only resource is bank-api (${resource})`);
          }
          return {
            scope: 'accounts payments',
            audience: resource,
            accessTokenTTL: settingsOf(client).tokens.accessToken,
            ...(accessTokenFormatOf(client) === 'opaque'
              ? { accessTokenFormat: 'opaque' }
              : {
                  accessTokenFormat: 'jwt',
                  jwt: { sign: { alg: profileOf(client as ClientLike).client.bankSigningAlgs[0] } },
                }),
          };
        },
      },
    },
  } as Configuration;
}
