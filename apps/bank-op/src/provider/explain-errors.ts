// Turns oidc-provider's terse error texts into descriptions a learner can act on: the problem, the
// clause that forbids it and the fix, looked up in the client's profile (profiles/*.ts `violations`).
// Three places carry errors to a client, and each is covered:
//   - JSON error bodies (token, PAR, registration, introspection, revocation, userinfo): the provider's
//     `*.error` events fire right after the body is set, and `explainJsonErrors` rewrites it there (and
//     the error_description of a WWW-Authenticate challenge, when the endpoint sets one);
//   - authorization-endpoint redirects: `explainAuthorizationRedirects` rewrites error_description
//     in the Location of a query or fragment redirect, and puts it in a JARM response before it is signed;
//   - the HTML error page: renderError (provider/create-provider.ts, rendering interactions/error-page.ts) calls `explain` itself.
import { composeDescription, oauthSafeText } from '@fapi-sandbox/fapi-core/errors';
import { type Logger, logRefusal } from '@fapi-sandbox/fapi-core/log';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { noteCheck } from '../http/trace.js';
import { ecosystemRules, type ProfileDefinition, profileOf } from '../profiles/index.js';
import type { Rule } from '../profiles/rule.js';
import { explainAlgorithmRefusal } from './algorithm-refusals.js';
import { explainRequestObjectEncryption } from './request-object-encryption.js';

/** What oidc-provider's errors carry (OIDCProviderError and its subclasses). */
export interface ProviderError {
  error?: string;
  message?: string;
  error_description?: string;
  error_detail?: string;
  /** The oidc-provider route the error was raised at (ctx.oidc.route), when known. */
  route?: string;
}

const ALREADY_EXPLAINED = / Fix: /;

/** The events of oidc-provider's JSON endpoints, emitted with (ctx, err) after the error body is set. */
const JSON_ERROR_EVENTS = [
  'grant.error',
  'pushed_authorization_request.error',
  'backchannel_authentication.error',
  'registration_create.error',
  'registration_read.error',
  'registration_update.error',
  'registration_delete.error',
  'introspection.error',
  'revocation.error',
  'jwks.error',
  'discovery.error',
  'userinfo.error',
] as const;

/** The rule of the client's profile (or the ecosystem's) that an oidc-provider error violates. */
export function findRule(
  profile: ProfileDefinition,
  error: string,
  texts: string[],
  route?: string,
): { rule: Rule; explain?: string } | undefined {
  // Some errors come with no text at all (request_uri_not_supported): they are matched as ''.
  const candidates = texts.length > 0 ? texts : [''];
  const rules = [...profile.rules, ...ecosystemRules];
  // A violation named for this route first, then the ones that hold at any route.
  for (const pass of [
    (v: { route?: string }) => v.route !== undefined && v.route === route,
    (v: { route?: string }) => v.route === undefined,
  ]) {
    for (const rule of rules) {
      for (const violation of rule.violations ?? []) {
        if (violation.error !== error || !pass(violation)) continue;
        if (candidates.some((text) => violation.message.test(text)))
          return { rule, explain: violation.explain };
      }
    }
  }
  return undefined;
}

/**
 * The error_description to send for an oidc-provider error, given the client's profile.
 * Client-authentication errors all read "client authentication failed" with the reason in the
 * detail; the reason is what a learner needs, so it is shown.
 */
export function explain(profile: ProfileDefinition, err: ProviderError): string {
  const error = err.error ?? err.message ?? 'server_error';
  const description = err.error_description ?? '';
  const detail = err.error_detail;
  if (ALREADY_EXPLAINED.test(description)) return description;
  if (detail && ALREADY_EXPLAINED.test(detail)) return detail;

  const original = detail && detail !== description ? `${description}: ${detail}` : description;
  const match = findRule(profile, error, [detail ?? '', description].filter(Boolean), err.route);
  if (!match) return original;
  return composeDescription({
    description: match.explain ?? original,
    clause: match.rule.clause,
    fix: match.rule.fix,
  });
}

function profileFor(ctx: KoaContextWithOIDC): ProfileDefinition {
  // Accessing ctx.oidc.client is safe on every route that emits these events.
  return profileOf(ctx.oidc?.client as { fapi_profile?: unknown } | undefined);
}

/**
 * RFC 6750 §3 / RFC 9449 §7.1: a refusal at userinfo or registration management also carries the error
 * in its WWW-Authenticate challenge; give the challenge the same explained error_description as the body
 * (already in the RFC 6749 §5.2 character set, so it needs no escaping inside the quoted string).
 */
function explainChallenge(ctx: KoaContextWithOIDC, explained: string): void {
  const challenges = ctx.response.get('WWW-Authenticate') as string | string[];
  if (!challenges || challenges.length === 0) return;
  const rewrite = (challenge: string) =>
    challenge.replace(/error_description="(?:[^"\\]|\\.)*"/, `error_description="${explained}"`);
  ctx.set('WWW-Authenticate', Array.isArray(challenges) ? challenges.map(rewrite) : rewrite(challenges));
}

/** Rewrites the error_description of JSON error responses as they are produced. */
export function explainJsonErrors(provider: Provider): void {
  for (const event of JSON_ERROR_EVENTS) {
    // Every event in the list has the (ctx, err) signature of 'grant.error'.
    provider.on(event as 'grant.error', (ctx: KoaContextWithOIDC, err: ProviderError) => {
      const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
      if (!body || typeof body !== 'object' || typeof body.error !== 'string') return;
      const profile = profileFor(ctx);
      const explained =
        explainRequestObjectEncryption(ctx, { ...err, error: body.error }) ??
        explainAlgorithmRefusal(ctx, { ...err, error: body.error }) ??
        explain(profile, { ...err, error: body.error, route: ctx.oidc?.route });
      const description = oauthSafeText(explained);
      body.error_description = description;
      explainChallenge(ctx, description);
      const match = findRule(
        profile,
        body.error,
        [err.error_detail ?? '', err.error_description ?? ''].filter(Boolean),
        ctx.oidc?.route,
      );
      noteCheck(ctx.res, {
        name: match?.rule.requirement ?? `oidc-provider accepts the ${ctx.oidc?.route ?? 'request'}`,
        passed: false,
        clause: match?.rule.clause ?? 'RFC 6749 §5.2',
        detail: `${body.error}: ${explained}`,
      });
    });
  }
}

const explainedAuthorizationErrors = new WeakMap<object, string>();

/**
 * Authorization-endpoint errors are redirected to the client (RFC 6749 §4.1.2.1) with iss (RFC 9207).
 * The event remembers the explanation; the middleware puts it in the redirect's query or fragment.
 */
export function explainAuthorizationRedirects(provider: Provider): void {
  provider.on('authorization.error', (ctx: KoaContextWithOIDC, err: ProviderError) => {
    const explained = explainAlgorithmRefusal(ctx, err) ?? explain(profileFor(ctx), err);
    explainedAuthorizationErrors.set(ctx, oauthSafeText(explained));
  });

  // JARM §2.3: an error in response_mode=jwt travels inside the signed response JWT, which oidc-provider
  // issues as an IdToken "for authorization"; the explanation goes into its claims before it is signed.
  // (The IdToken class is this provider's own, so only this provider's tokens are touched.)
  type AuthorizationResponseToken = { ctx: object; extra: Record<string, unknown> };
  type Issue = (this: AuthorizationResponseToken, options?: { use?: string }) => Promise<string>;
  const prototype = provider.IdToken.prototype as unknown as { issue: Issue };
  const issue = prototype.issue;
  prototype.issue = function issueExplained(options) {
    const explained = explainedAuthorizationErrors.get(this.ctx);
    if (options?.use === 'authorization' && explained && typeof this.extra.error === 'string') {
      this.extra.error_description = explained;
    }
    return issue.call(this, options);
  };

  provider.use(async (ctx, next) => {
    await next();
    const explained = explainedAuthorizationErrors.get(ctx);
    const location = ctx.response.get('location');
    if (!explained || !location) return;
    const url = URL.parse(location);
    if (!url) return;
    if (url.searchParams.has('error')) {
      url.searchParams.set('error_description', explained);
      ctx.response.set('location', url.href);
    } else if (url.hash.includes('error=')) {
      const fragment = new URLSearchParams(url.hash.slice(1));
      fragment.set('error_description', explained);
      url.hash = fragment.toString();
      ctx.response.set('location', url.href);
    }
  });
}

/**
 * One log line per request oidc-provider refuses (JSON endpoints and the authorization endpoint), with
 * the explained description: a learner watching `pnpm dev` sees why, without a stack trace. Registered
 * after the explainers, so the description it logs is theirs.
 */
export function logProviderRefusals(provider: Provider, log: Logger): void {
  for (const event of JSON_ERROR_EVENTS) {
    provider.on(event as 'grant.error', (ctx: KoaContextWithOIDC) => {
      const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
      if (typeof body?.error !== 'string') return;
      const description = String(body.error_description ?? '');
      logRefusal(log, ctx.req, ctx.res, {
        status: ctx.status,
        error: body.error,
        error_description: description,
      });
    });
  }
  provider.on('authorization.error', (ctx: KoaContextWithOIDC, err: ProviderError) => {
    const error = err.error ?? err.message ?? 'server_error';
    const description = explainedAuthorizationErrors.get(ctx) ?? err.error_description ?? '';
    logRefusal(log, ctx.req, ctx.res, { status: ctx.status, error, error_description: description });
  });
}
