// What the bank's token endpoint checked, for the flow trace: like bank-api's pipeline
// (apps/bank-api/src/pipeline.ts), each rule a token request went through is a named check with its
// clause, on the request's trace event (http/trace.ts), in the order oidc-provider runs them:
//   1. client authentication (the method; for private_key_jwt the assertion's aud, jti and exp),
//   2. the DPoP proof and its nonce (DPoP-bound clients),
//   3. the authorization code: issued to this client, unexpired, used once; or the refresh token,
//   4. PKCE: the code_verifier against the code's challenge,
//   5. the certificate a token is bound to (certificate-bound clients),
//   6. the binding: the new access token's cnf names that key or certificate.
// oidc-provider enforces every one; this only reads what it decided from its context once the request
// is handled (ctx.oidc.client, ctx.oidc.entities, the proof and assertion it verified). A refused
// request shows the checks it passed before the refusal, which explain-errors.ts notes with its rule.
import type { IncomingMessage } from 'node:http';
import { jwkThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';
import type { JWK } from 'jose';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { CertificateSource, PresentedCertificate } from '../mtls/client-certificate.js';
import { findRuleById, type ProfileDefinition, profileOf } from '../profiles/index.js';
import { findRule, type ProviderError } from '../provider/explain-errors.js';
import { jwtClaimsOf, jwtHeaderOf } from './request-jwts.js';
import { noteChecksBeforeRefusal } from './trace.js';

type Client = NonNullable<KoaContextWithOIDC['oidc']['client']>;

/** What one token request carried and what oidc-provider made of it. */
interface TokenRequest {
  ctx: KoaContextWithOIDC;
  profile: ProfileDefinition;
  client: Client;
  grantType: string;
  /** Seconds since the epoch, the clock the tokens are stamped with. */
  now: number;
  assertion?: { header: Record<string, unknown>; claims: Record<string, unknown> };
  proof?: { header: Record<string, unknown>; claims: Record<string, unknown> };
  certificate?: PresentedCertificate;
}

/** One step of the token endpoint: its checks when it applies, and the rules whose refusal stops there. */
interface Stage {
  rules: string[];
  checks(request: TokenRequest, passedOnly: boolean): Promise<CheckResult[]> | CheckResult[];
}

/** The clause of the client's profile rule `id`, or `fallback` when the profile has no such rule. */
function clauseOf(profile: ProfileDefinition, id: string, fallback: string): string {
  return findRuleById(profile, id)?.clause ?? fallback;
}

function start(value: unknown): string {
  return typeof value === 'string' ? `${value.slice(0, 8)}…` : 'none';
}

/** A JWT of the request as the status gate and oidc-provider's hooks decoded it (request-jwts.ts). */
function decoded(req: IncomingMessage, jwt: unknown): TokenRequest['assertion'] {
  if (typeof jwt !== 'string' || jwt === '') return undefined;
  const header = jwtHeaderOf(req, jwt);
  const claims = header && jwtClaimsOf(req, jwt);
  return header && claims ? { header, claims } : undefined;
}

/** 1. RFC 7521 §4.2, RFC 7523 §3, RFC 8705 §2: who is asking. */
const clientAuthentication: Stage = {
  rules: [
    'client-authentication',
    'assertion-audience-is-issuer',
    'assertion-lifetime',
    'confidential-clients-only',
  ],
  checks({ profile, client, assertion, certificate, now }) {
    const clause = clauseOf(profile, 'client-authentication', 'RFC 6749 §2.3');
    if (client.clientAuthMethod === 'tls_client_auth') {
      const registered = (client as { tlsClientAuthSubjectDn?: string }).tlsClientAuthSubjectDn;
      return [
        {
          name: 'Client authenticated with tls_client_auth: its certificate has the registered subject',
          passed: true,
          clause,
          detail: `certificate ${certificate?.identity.subjectDn ?? '?'}; registered tls_client_auth_subject_dn ${registered ?? '?'}`,
        },
      ];
    }
    const claims = assertion?.claims ?? {};
    const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
    return [
      {
        name: `Client authenticated with ${client.clientAuthMethod}: assertion signed by a registered key`,
        passed: true,
        clause,
        detail: `client_assertion for client ${client.clientId}, ${String(assertion?.header.alg)} signature verified with key ${String(assertion?.header.kid ?? '(no kid)')} of its registered JWKS`,
      },
      {
        name: 'Client assertion aud is the issuer',
        passed: true,
        clause: clauseOf(profile, 'assertion-audience-is-issuer', 'RFC 7523 §3 (3)'),
        detail: `aud ${JSON.stringify(claims.aud)}`,
      },
      {
        name: 'Client assertion jti not used before',
        passed: true,
        clause: 'RFC 7523 §3 (7)',
        detail: `jti ${String(claims.jti)} recorded: the same assertion sent again is refused`,
      },
      {
        name: 'Client assertion unexpired',
        passed: true,
        clause: clauseOf(profile, 'assertion-lifetime', 'RFC 7523 §3 (4)'),
        detail:
          exp === undefined
            ? 'exp missing'
            : `exp ${new Date(exp * 1000).toISOString()} (${exp - now} s left)`,
      },
    ];
  },
};

/** 2. RFC 9449 §4.3 and §8: the proof of possession of the key the token will be bound to. */
const dpopProof: Stage = {
  rules: ['dpop-proof', 'dpop-nonce'],
  checks({ profile, client, proof }) {
    if (!client.dpopBoundAccessTokens && !proof) return [];
    const claims = proof?.claims ?? {};
    const checks: CheckResult[] = [
      {
        name: 'DPoP proof valid for this request (typ, signature, htm, htu, iat, jti)',
        passed: true,
        clause: clauseOf(profile, 'dpop-proof', 'RFC 9449 §4.3'),
        detail: `${String(proof?.header.alg)} proof for ${String(claims.htm)} ${String(claims.htu)}, iat ${String(claims.iat)}, jti ${start(claims.jti)}`,
      },
    ];
    if (profile.rules.some((rule) => rule.id === 'dpop-nonce')) {
      checks.push({
        name: 'DPoP proof carries a nonce the bank issued',
        passed: typeof claims.nonce === 'string',
        clause: clauseOf(profile, 'dpop-nonce', 'RFC 9449 §8'),
        detail: typeof claims.nonce === 'string' ? `nonce ${start(claims.nonce)}` : 'no nonce',
      });
    }
    return checks;
  },
};

/** 3. RFC 6749 §4.1.2 and §4.1.3, §6: the grant the tokens come from. */
const grantSource: Stage = {
  rules: ['code-single-use', 'code-lifetime', 'code-bound-to-client'],
  checks({ ctx, profile, client, grantType, now }, passedOnly) {
    if (grantType === 'refresh_token') {
      return [
        {
          name: 'Refresh token issued to this client and not revoked',
          passed: true,
          clause: 'RFC 6749 §6',
          detail: `refresh token ${start(ctx.oidc.params?.refresh_token)} of client ${client.clientId}`,
        },
      ];
    }
    if (grantType !== 'authorization_code') return [];
    const code = ctx.oidc.entities.AuthorizationCode as
      | { iat?: number; exp?: number; clientId?: string }
      | undefined;
    const issued = code?.iat !== undefined ? `issued ${now - code.iat} s ago, ` : '';
    const lifetime =
      code?.iat !== undefined && code.exp !== undefined ? `lives ${code.exp - code.iat} s` : '';
    return [
      {
        name: 'Authorization code issued to this client',
        passed: true,
        clause: clauseOf(profile, 'code-bound-to-client', 'RFC 6749 §4.1.3'),
        detail: `code ${start(ctx.oidc.params?.code)} for client ${code?.clientId ?? client.clientId}`,
      },
      {
        name: 'Authorization code unexpired',
        passed: true,
        clause: clauseOf(profile, 'code-lifetime', 'RFC 6749 §4.1.2'),
        detail: `${issued}${lifetime}`.replace(/, $/, '') || 'within its lifetime',
      },
      {
        name: 'Authorization code used once',
        passed: true,
        clause: clauseOf(profile, 'code-single-use', 'RFC 6749 §4.1.2'),
        detail: passedOnly
          ? 'not redeemed before'
          : 'consumed by this request: redeeming it again is refused and revokes the tokens it issued',
      },
    ];
  },
};

/** 4. RFC 7636 §4.6: the verifier only the client that started the authorization holds. */
const pkce: Stage = {
  rules: ['pkce-s256', 'pkce-with-par'],
  checks({ ctx, profile, grantType }) {
    if (grantType !== 'authorization_code') return [];
    const code = ctx.oidc.entities.AuthorizationCode as
      | { codeChallenge?: string; codeChallengeMethod?: string }
      | undefined;
    return [
      {
        name: 'PKCE: the code_verifier matches the code_challenge',
        passed: true,
        clause: clauseOf(profile, 'pkce-s256', clauseOf(profile, 'pkce-with-par', 'RFC 7636 §4.6')),
        detail: `BASE64URL(SHA-256(code_verifier)) equals code_challenge ${start(code?.codeChallenge)} (method ${code?.codeChallengeMethod ?? 'S256'})`,
      },
    ];
  },
};

/** The access token this request issued (authorization code, refresh or client credentials). */
function issuedToken(ctx: KoaContextWithOIDC): { jkt?: string; 'x5t#S256'?: string } | undefined {
  const { AccessToken, ClientCredentials } = ctx.oidc.entities as Record<string, unknown>;
  return (AccessToken ?? ClientCredentials) as { jkt?: string; 'x5t#S256'?: string } | undefined;
}

/** 5 and 6. RFC 8705 §3, RFC 9449 §6: the token is bound to what the client proved it holds. */
const binding: Stage = {
  rules: ['sender-constrained-tokens', 'dpop-code-binding', 'token-bound-to-own-certificate'],
  async checks({ ctx, profile, client, proof, certificate }, passedOnly) {
    const clause = clauseOf(profile, 'sender-constrained-tokens', 'RFC 8705 §3, RFC 9449 §6');
    const token = issuedToken(ctx);
    if (client.dpopBoundAccessTokens) {
      const jwk = proof?.header.jwk as JWK | undefined;
      const presented = jwk ? await jwkThumbprint(jwk).catch(() => undefined) : undefined;
      const code = ctx.oidc.entities.AuthorizationCode as { dpopJkt?: string } | undefined;
      const checks: CheckResult[] = [];
      if (code?.dpopJkt) {
        checks.push({
          name: 'The DPoP key is the one the authorization was pushed with (dpop_jkt)',
          passed: code.dpopJkt === presented,
          clause: clauseOf(profile, 'dpop-code-binding', 'RFC 9449 §10'),
          detail: `dpop_jkt ${code.dpopJkt}; proof key ${presented ?? '?'}`,
        });
      }
      if (!passedOnly) {
        checks.push({
          name: 'Access token bound to the DPoP proof key (cnf.jkt)',
          passed: token?.jkt !== undefined && token.jkt === presented,
          clause,
          detail: `cnf.jkt ${token?.jkt ?? 'none'}; proof key thumbprint ${presented ?? '?'}`,
        });
      }
      return checks;
    }
    if (!client.tlsClientCertificateBoundAccessTokens) return [];
    const presented = certificate?.x5tS256;
    const checks: CheckResult[] = [
      {
        name: "The certificate is a transport certificate the directory issued to the client's own software",
        passed: true,
        clause: clauseOf(profile, 'token-bound-to-own-certificate', 'RFC 8705 §3'),
        detail: `${certificate?.identity.subjectDn ?? '?'}, x5t#S256 ${presented ?? '?'}`,
      },
    ];
    if (!passedOnly) {
      checks.push({
        name: 'Access token bound to the client certificate (cnf x5t#S256)',
        passed: token?.['x5t#S256'] !== undefined && token['x5t#S256'] === presented,
        clause,
        detail: `cnf x5t#S256 ${token?.['x5t#S256'] ?? 'none'}; presented ${presented ?? '?'}`,
      });
    }
    return checks;
  },
};

/** In the order oidc-provider's token endpoint runs them (actions/token.js, actions/grants/*). */
const STAGES: Stage[] = [clientAuthentication, dpopProof, grantSource, pkce, binding];

/** The checks of a token request: all of them when it succeeded, those before the refusal when not. */
async function tokenChecks(
  request: TokenRequest,
  refusal: ProviderError | undefined,
): Promise<CheckResult[]> {
  const refusedBy = refusal
    ? findRule(request.profile, refusal.error ?? '', [
        refusal.error_detail ?? '',
        refusal.error_description ?? '',
      ])?.rule.id
    : undefined;
  // A refusal no stage claims (a malformed request, an unknown grant type) shows no checks but its own.
  if (refusal && !STAGES.some((stage) => refusedBy && stage.rules.includes(refusedBy))) return [];
  const checks: CheckResult[] = [];
  for (const stage of STAGES) {
    if (refusal && refusedBy && stage.rules.includes(refusedBy)) break;
    checks.push(...(await stage.checks(request, refusal !== undefined)));
  }
  return checks;
}

export function traceTokenEndpoint(provider: Provider, certificates: CertificateSource): void {
  const refusals = new WeakMap<object, ProviderError>();
  provider.on('grant.error', (ctx, err) => {
    refusals.set(ctx, err as ProviderError);
  });
  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as Partial<KoaContextWithOIDC>).oidc;
    if (oidc?.route !== 'token' || !oidc.client) return;
    const request: TokenRequest = {
      ctx: ctx as KoaContextWithOIDC,
      profile: profileOf(oidc.client as never),
      client: oidc.client,
      grantType: String(oidc.params?.grant_type ?? ''),
      now: Math.floor(Date.now() / 1000),
      assertion: decoded(ctx.req, oidc.params?.client_assertion),
      proof: decoded(ctx.req, ctx.get('dpop')),
      certificate: certificates.certificateOf(ctx.req),
    };
    const refusal = refusals.get(ctx);
    if (!refusal && ctx.status !== 200) return;
    noteChecksBeforeRefusal(ctx.res, await tokenChecks(request, refusal));
  });
}
