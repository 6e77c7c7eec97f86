// What the discovery document (RFC 8414 / OpenID Discovery) advertises beyond oidc-provider's own
// metadata. FAPI 2.0 SP §5.3.2.1-1 and FAPI 1.0 Part 1 §5.2.2-22: clients configure themselves only from
// it, so it says exactly what is enforced:
//   - mtls_endpoint_aliases (RFC 8705 §5): the back-channel endpoints on the mTLS listener, where the
//     client certificate is read from the TLS handshake. Never the authorization endpoint (browsers).
//   - registration_endpoint: the mTLS listener's, because registration needs the transport certificate.
//   - require_pushed_authorization_requests: false server-wide, because FAPI 1.0 Advanced clients may
//     send signed request objects by value; FAPI 2.0 clients are registered with
//     require_pushed_authorization_requests: true (RFC 9126 §6), which oidc-provider enforces per client.
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import type Provider from 'oidc-provider';

export const ROUTES = {
  authorization: '/authorize',
  pushed_authorization_request: '/par',
  token: '/token',
  jwks: '/jwks',
  registration: '/register',
  introspection: '/token/introspect',
  revocation: '/token/revoke',
  userinfo: '/userinfo',
  end_session: '/session/end',
  code_verification: '/device',
  device_authorization: '/device/auth',
  backchannel_authentication: '/backchannel',
  challenge: '/challenge',
  credential: '/credential',
} as const;

/** The endpoints served on the mTLS listener, by metadata name. */
export const MTLS_ALIASED = {
  token_endpoint: ROUTES.token,
  pushed_authorization_request_endpoint: ROUTES.pushed_authorization_request,
  introspection_endpoint: ROUTES.introspection,
  revocation_endpoint: ROUTES.revocation,
  registration_endpoint: ROUTES.registration,
  userinfo_endpoint: ROUTES.userinfo,
  backchannel_authentication_endpoint: ROUTES.backchannel_authentication,
} as const;

/** oidc-provider's `discovery` setting: fills metadata it does not set itself. */
export function discoveryMetadata(config: SandboxConfig): Record<string, unknown> {
  const aliases = Object.fromEntries(
    Object.entries(MTLS_ALIASED).map(([name, route]) => [name, `${config.bankOp.mtls.origin}${route}`]),
  );
  return {
    mtls_endpoint_aliases: aliases,
    require_pushed_authorization_requests: false,
    claim_types_supported: ['normal'],
  };
}

/** Points registration_endpoint at the mTLS listener (oidc-provider derives it from the request host). */
export function advertiseMtlsRegistration(provider: Provider, config: SandboxConfig): void {
  const discoveryPaths = new Set([
    '/.well-known/openid-configuration',
    '/.well-known/oauth-authorization-server',
  ]);
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.method !== 'GET' || !discoveryPaths.has(ctx.path) || ctx.status !== 200) return;
    const body = ctx.body as Record<string, unknown>;
    if (body && typeof body === 'object' && 'registration_endpoint' in body) {
      body.registration_endpoint = `${config.bankOp.mtls.origin}${ROUTES.registration}`;
    }
  });
}
