// What oidc-provider decides on the front channel, for the flow trace: the authorization request the
// browser brings (request_uri or request object), the resume after each customer step, and the response
// the browser carries back to the client (code and iss, a JARM response, or an error). oidc-provider's
// events say what happened; this notes it on the request's trace event (http/trace.ts) and hands the
// flow's interaction id on to each interaction it starts (http/flow-ids.ts). No secret is noted: codes
// and challenges appear by their first characters only.
import { decodeJwtsIn, type TraceRecorder } from '@fapi-sandbox/fapi-core/trace';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC, PromptDetail, UnknownObject } from 'oidc-provider';
import { profileOf, ruleById } from '../profiles/index.js';
import { awaitedEvents } from '../provider/awaited-events.js';
import { explain, type ProviderError } from '../provider/explain-errors.js';
import { SCA_ACR } from '../provider/intent.js';
import { PAYMENT_SCA_CHECK } from '../provider/interaction-policy.js';
import { nonceOrStateRequired } from '../provider/nonce-or-state.js';
import type { FlowIds } from './flow-ids.js';
import { noteCheck, noteParticipant, noteStep } from './trace.js';

type Client = NonNullable<KoaContextWithOIDC['oidc']['client']>;

function start(value: unknown): string {
  return typeof value === 'string' ? `${value.slice(0, 8)}…` : 'none';
}

/** Why the customer is sent to a page, in words. */
function promptReason(prompt: PromptDetail): string {
  if (prompt.name === 'login' && prompt.reasons.includes(PAYMENT_SCA_CHECK)) {
    return 'This is a payment: the customer signs in again, even with a session at the bank, and the passcode is linked to the amount and payee (PSD2 RTS Art. 4, Art. 5).';
  }
  if (prompt.name === 'login') {
    return 'The customer has no session at the bank, so the bank asks them to sign in with two factors (PSD2 RTS Art. 4).';
  }
  return 'The customer is signed in; the bank asks them to authorise the consent the request names.';
}

function senderConstraint(ctx: KoaContextWithOIDC, client: Client) {
  const profile = profileOf(client as never);
  if (
    !client.dpopBoundAccessTokens &&
    !client.tlsClientCertificateBoundAccessTokens &&
    profile.id === 'fapi1-baseline'
  ) {
    return {
      name: 'Bearer tokens, as Baseline allows (no sender constraint)',
      passed: true,
      clause: ruleById(profile, 'bearer-tokens').clause,
      detail:
        'Tokens will be bound to nothing: whoever holds one can use it, so they live under 10 minutes (Advanced binds them to the certificate)',
    };
  }
  if (client.dpopBoundAccessTokens) {
    const jkt = ctx.oidc.params?.dpop_jkt;
    return {
      name: 'Sender constraint carried from the pushed request (DPoP)',
      passed: true,
      clause: 'RFC 9449 §10, FAPI 2.0 SP §5.3.2.1-8',
      detail:
        typeof jkt === 'string'
          ? `The code is bound to the DPoP key ${start(jkt)} named by dpop_jkt at PAR`
          : 'Tokens will be bound to the DPoP key the token request proves possession of',
    };
  }
  return {
    name: 'Sender constraint carried from the pushed request (mTLS)',
    passed: client.tlsClientCertificateBoundAccessTokens === true,
    clause: 'RFC 8705 §3, FAPI 2.0 SP §5.3.2.1-8',
    detail: client.tlsClientCertificateBoundAccessTokens
      ? "Tokens will be bound to the client's TLS certificate (cnf x5t#S256)"
      : 'The client registered no sender constraint',
  };
}

/**
 * Whether the browser brought the parameters themselves (no request_uri, no request object), as only a
 * profile with the plain-authorization-request rule (Baseline) lets it.
 */
function isPlainRequest(ctx: KoaContextWithOIDC, client: Client): boolean {
  const sent = { ...(ctx.oidc.body as Record<string, unknown> | undefined), ...ctx.query };
  return (
    !ctx.oidc.entities.PushedAuthorizationRequest &&
    sent.request === undefined &&
    profileOf(client as never).rules.some((rule) => rule.id === 'plain-authorization-request')
  );
}

/**
 * The checks of a plain authorization request (FAPI 1.0 Part 1 §5.2.2): nothing signed it, so each
 * parameter the profile demands is checked as it came in the browser's query.
 */
function plainRequestChecks(ctx: KoaContextWithOIDC, client: Client) {
  const params = (ctx.oidc.params ?? {}) as Record<string, unknown>;
  const profile = profileOf(client as never);
  const clauseOf = (id: string) => ruleById(profile, id).clause;
  const required = nonceOrStateRequired(params);
  const redirectUri = String(params.redirect_uri);
  return [
    {
      name: 'Plain authorization request in the browser (no PAR, no request object), as Baseline allows',
      passed: true,
      clause: clauseOf('plain-authorization-request'),
      detail: `Every parameter came unsigned in the query of client ${client.clientId}: the browser, its extensions and its history could read or change them (Advanced adds a signed request object, FAPI 2.0 adds PAR)`,
    },
    {
      name: 'response_type is code (answered in the query)',
      passed: params.response_type === 'code',
      clause: clauseOf('response-type'),
      detail: `response_type ${String(params.response_type)}`,
    },
    {
      name: 'redirect_uri registered for this client (exact match)',
      passed: client.redirectUris?.includes(redirectUri) === true,
      clause: clauseOf('redirect-uri-required-and-exact'),
      detail: `redirect_uri ${redirectUri}`,
    },
    {
      name: 'PKCE challenge present, method S256',
      passed: params.code_challenge_method === 'S256' && typeof params.code_challenge === 'string',
      clause: clauseOf('pkce'),
      detail: `code_challenge ${start(params.code_challenge)} with method ${String(params.code_challenge_method ?? 'none')}`,
    },
    {
      name: `${required} present (${required === 'nonce' ? 'scope has openid' : 'scope lacks openid'})`,
      passed: typeof params[required] === 'string' && params[required] !== '',
      clause: clauseOf('nonce-or-state'),
      detail:
        required === 'nonce'
          ? `nonce ${start(params.nonce)}: the ID token must carry it back, which ties the response to this request`
          : `state ${start(params.state)}: the client checks it on the way back`,
    },
    senderConstraint(ctx, client),
  ];
}

/** The checks of an accepted authorization request: where its parameters came from and what they bind. */
function requestChecks(ctx: KoaContextWithOIDC, client: Client) {
  if (isPlainRequest(ctx, client)) return plainRequestChecks(ctx, client);
  const { params, entities } = ctx.oidc;
  const pushed = entities.PushedAuthorizationRequest;
  const source = pushed ? 'the pushed request' : 'the signed request object';
  return [
    pushed
      ? {
          name: 'request_uri bound to this client and unexpired',
          passed: true,
          clause: 'RFC 9126 §4',
          detail: `request_uri …${String(pushed.jti).slice(-6)} was pushed by client ${client.clientId} and has not expired`,
        }
      : {
          name: 'Request object signed by the client and verified',
          passed: true,
          clause: 'RFC 9101 §6.3, FAPI 1.0 Adv §5.2.2-1',
          detail: `The parameters come from a request object signed with a key of client ${client.clientId}`,
        },
    {
      name: `PKCE carried from ${source}`,
      passed: params?.code_challenge_method === 'S256' && typeof params.code_challenge === 'string',
      clause: 'RFC 7636 §4.3, FAPI 2.0 SP §5.3.2.2-5',
      detail: `code_challenge ${start(params?.code_challenge)} with method ${String(params?.code_challenge_method ?? 'none')}`,
    },
    senderConstraint(ctx, client),
  ];
}

/** JARM §3: the alg and enc a client registered for its JARM responses, if it asked for them encrypted. */
function jarmEncryptionOf(client: Client | undefined): { alg: string; enc: string } | undefined {
  const { authorizationEncryptedResponseAlg: alg, authorizationEncryptedResponseEnc: enc } = (client ??
    {}) as { authorizationEncryptedResponseAlg?: unknown; authorizationEncryptedResponseEnc?: unknown };
  return typeof alg === 'string' && typeof enc === 'string' ? { alg, enc } : undefined;
}

/** The directory participant a client was registered for (software_id from its SSA). */
function softwareIdOf(client: Client | undefined): string | undefined {
  const softwareId = (client as { software_id?: unknown } | undefined)?.software_id;
  return typeof softwareId === 'string' && softwareId !== '' ? softwareId : undefined;
}

export function traceFrontChannel(provider: Provider, flowIds: FlowIds, recorder: TraceRecorder): void {
  // Whenever oidc-provider knew the request's client (PAR, token, authorization, resume, …), the trace
  // event is filed under that client's participant, whether the request succeeded or not.
  provider.use(async (ctx, next) => {
    try {
      await next();
    } finally {
      const participant = softwareIdOf((ctx as Partial<KoaContextWithOIDC>).oidc?.client);
      if (participant) noteParticipant(ctx.res, participant);
    }
  });

  // The links are written before the response leaves: the browser's next step may reach another replica.
  const events = awaitedEvents(provider);

  events.on('pushed_authorization_request.success', async (ctx) => {
    const pushed = ctx.oidc.entities.PushedAuthorizationRequest;
    const interactionId = flowIds.interactionIdOf(ctx.req);
    if (pushed?.jti && interactionId) await flowIds.linkPushedRequest(pushed.jti, interactionId);
    const body = ctx.body as { expires_in?: number } | undefined;
    noteCheck(ctx.res, {
      name: 'request_uri issued for this client, for one authorization',
      passed: true,
      clause: 'RFC 9126 §2.2',
      detail: `request_uri …${String(pushed?.jti).slice(-6)} expires in ${body?.expires_in ?? '?'} s`,
    });
    // FAPI 1.0 Adv §5.2.2-1, RFC 9101 §5: oidc-provider verified the request object's signature to get here.
    const requestObject = (ctx.oidc.body as { request?: unknown } | undefined)?.request;
    if (typeof requestObject === 'string') {
      const [decoded] = decodeJwtsIn(requestObject, 'request');
      noteCheck(ctx.res, {
        name: 'Authorization parameters in a request object the client signed',
        passed: true,
        clause: 'FAPI 1.0 Adv §5.2.2-1, RFC 9101 §5',
        detail: `request object signed ${String(decoded?.header.alg)} with key ${String(decoded?.header.kid)} of the client's registered JWKS`,
      });
    }
  });

  events.on('interaction.started', async (ctx, prompt: PromptDetail) => {
    const interaction = ctx.oidc.entities.Interaction;
    const interactionId = flowIds.interactionIdOf(ctx.req);
    const client = ctx.oidc.client;
    if (interaction?.uid && interactionId)
      await flowIds.linkInteraction(interaction.uid, interactionId, softwareIdOf(client));
    if (ctx.oidc.route === 'resume') {
      noteStep(ctx.res, {
        step: 'Authorization resumed',
        explanation: `The customer finished a step at the bank. ${promptReason(prompt)}`,
      });
      return;
    }
    const plain = client !== undefined && isPlainRequest(ctx, client);
    noteStep(ctx.res, {
      step: 'Authorization request (front channel)',
      explanation: plain
        ? `The browser brings the client's authorization request as plain query parameters (FAPI 1.0 Baseline); the bank checks each one before the customer sees anything. ${promptReason(prompt)}`
        : `The browser brings the client's authorization request; the bank checks it before the customer sees anything. ${promptReason(prompt)}`,
      clause: ctx.oidc.entities.PushedAuthorizationRequest
        ? 'RFC 9126 §4'
        : plain
          ? ruleById(profileOf(client as never), 'plain-authorization-request').clause
          : 'RFC 9101 §5',
    });
    if (client) for (const check of requestChecks(ctx, client)) noteCheck(ctx.res, check);
    if (prompt.reasons.includes(PAYMENT_SCA_CHECK)) {
      noteCheck(ctx.res, {
        name: 'Fresh strong customer authentication for this payment',
        passed: true,
        clause: 'PSD2 RTS Art. 4, Art. 5',
        detail: 'A session at the bank is not enough for a payment: the customer signs in again',
      });
    }
  });

  events.on('authorization.success', async (ctx, out: UnknownObject | undefined) => {
    const grantId = ctx.oidc.entities.AuthorizationCode?.grantId;
    const flow = flowIds.interactionIdOf(ctx.req);
    if (grantId && flow) await flowIds.linkGrant(grantId, flow);
    const jarm = ctx.oidc.responseMode?.includes('jwt') === true;
    const encryptedTo = jarm ? jarmEncryptionOf(ctx.oidc.client) : undefined;
    const hybrid = typeof out?.id_token === 'string';
    noteStep(ctx.res, {
      step: 'Authorization response (redirect to the client)',
      explanation: encryptedTo
        ? "The bank sends the browser back to the client's registered redirect_uri with a JARM response: a JWT it signed, carrying the code, state and iss, then encrypted to the client's key. The browser, its history and extensions see only the JWE header; the bank cannot read it back either."
        : jarm
          ? "The bank sends the browser back to the client's registered redirect_uri with a JARM response: a JWT it signed, carrying the code, state and iss, for this client only."
          : hybrid
            ? "The bank sends the browser back to the client's registered redirect_uri with the code and an ID token whose c_hash and s_hash protect the code and state."
            : "The bank sends the browser back to the client's registered redirect_uri with the code, state and iss, so the client knows which server answered.",
      clause: encryptedTo
        ? 'JARM §4.1, JARM §2.2'
        : jarm
          ? 'JARM §4.1'
          : hybrid
            ? 'FAPI 1.0 Adv §5.2.2.1-5'
            : 'RFC 9207 §2',
    });
    if (encryptedTo) {
      noteCheck(ctx.res, {
        name: "JARM response signed by the bank, then encrypted to the client's key",
        passed: true,
        clause: ruleById(profileOf(ctx.oidc.client as never), 'authorization-response-encryption').clause,
        detail: `JWE alg ${encryptedTo.alg}, enc ${encryptedTo.enc}, to the client's use enc key from its jwks_uri`,
      });
    }
    noteCheck(ctx.res, {
      name: 'redirect_uri registered for this client (exact match)',
      passed: true,
      clause: 'FAPI 2.0 SP §5.3.2.2-6, FAPI 1.0 Part 1 §5.2.2-9',
      detail: `The response goes to ${String(ctx.oidc.params?.redirect_uri)}`,
    });
    noteCheck(ctx.res, {
      name: 'Customer authenticated with two factors',
      passed: ctx.oidc.acr === SCA_ACR,
      clause: 'PSD2 RTS Art. 4, OB Security Profile',
      detail: `acr ${String(ctx.oidc.acr)}`,
    });
    noteCheck(ctx.res, {
      name: `Authorization code issued: one use, ${profileOf(ctx.oidc.client as never).provider.authorizationCodeSeconds} seconds, bound to the PKCE challenge`,
      passed: typeof out?.code === 'string',
      clause: 'FAPI 2.0 SP §5.3.2.1-11, RFC 7636 §4.4',
      detail: `code ${start(out?.code)} for client ${ctx.oidc.client?.clientId ?? '?'}`,
    });
  });

  // FAPI 1.0 Part 1 §6.2.1-11: the client's x-fapi-interaction-id names its flow. A request that came
  // through the browser alone (no PAR) carried none; the code's redemption says which flow it was, and
  // only the client the code was issued to can redeem it, so only its own steps move.
  events.on('grant.success', async (ctx) => {
    if (ctx.oidc.params?.grant_type !== 'authorization_code') return;
    const grantId = ctx.oidc.entities.AuthorizationCode?.grantId;
    const browserFlow = grantId ? await flowIds.flowOfGrant(grantId) : undefined;
    const clientFlow = flowIds.interactionIdOf(ctx.req);
    const participant = softwareIdOf(ctx.oidc.client);
    if (!browserFlow || !clientFlow || browserFlow === clientFlow || !participant) return;
    const moved = recorder.refile(browserFlow, clientFlow, participant);
    noteCheck(ctx.res, {
      name: "The browser's steps joined to this flow",
      passed: true,
      clause: 'FAPI 1.0 Part 1 §6.2.1-11',
      detail: `The authorization request came through the browser without a pushed request, so it named no x-fapi-interaction-id: the bank filed its ${moved} steps under an id of its own, and files them under this one now that the client redeems their code`,
    });
  });

  provider.on('authorization.error', (ctx, err) => {
    const error = err as ProviderError;
    const detail = `${error.error ?? 'error'}: ${explain(profileOf(ctx.oidc.client as never), error)}`;
    noteStep(ctx.res, ({ status, location }) =>
      status >= 300 && status < 400 && location?.origin !== new URL(provider.issuer).origin
        ? {
            step: 'Error response (redirect to the client)',
            explanation:
              "The bank refuses the authorization and sends the error back to the client's registered redirect_uri, with state and iss.",
            clause: 'RFC 6749 §4.1.2.1, RFC 9207 §2',
          }
        : {
            step: 'Error page',
            explanation:
              'The bank refuses the request and shows an error page: without a trustworthy client and redirect_uri it sends nothing back.',
            clause: 'RFC 6749 §4.1.2.1',
          },
    );
    noteCheck(ctx.res, {
      name: 'Authorization request accepted',
      passed: false,
      clause: 'RFC 6749 §4.1.2.1',
      detail,
    });
  });
}
