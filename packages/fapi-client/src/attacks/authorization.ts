// Attacks on the authorization request and response: what PAR, PKCE, JAR, JARM, `state` and `iss` stop.
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKeyPair, SignJWT } from 'jose';
import type { Bend } from '../bend.js';
import { ALL_PROFILES, BASELINE, defineAttack, FAPI2, sameRefusal } from './attack.js';
import { ATTACKER, onHttp, onJwt, withPayload } from './bends.js';
import { openAtBank } from './front-channel.js';

const NO_REQUEST_OBJECT =
  'FAPI 2.0 sends the authorization parameters over the client-authenticated back channel (PAR) and signs no request object';
const NO_JARM = 'FAPI 2.0 answers with code, state and iss in the query (RFC 9207), not with a JARM JWT';

export const redirectUriAltered = defineAttack({
  id: 'redirect-uri-altered',
  title: 'The pushed request names the attacker’s redirect_uri',
  message: 'par',
  refusals: {
    ...sameRefusal(FAPI2, {
      party: 'bank-op',
      status: 400,
      error: 'invalid_request',
      clause: 'RFC 9126 §2.4',
    }),
    'fapi1-advanced': {
      party: 'bank-op',
      status: 400,
      error: 'invalid_request',
      clause: 'FAPI 1.0 Part 1 §5.2.2-8',
    },
  },
  notApplicable: {
    'fapi1-baseline':
      'FAPI 1.0 Baseline pushes nothing; an unregistered redirect_uri in its plain request is refused all the same (FAPI 1.0 Part 1 §5.2.2-10)',
  },
  threat: 'the code is sent to the attacker’s site, which redeems it or injects it elsewhere',
  fix: 'send a redirect_uri byte for byte equal to one the client registered',
  rules: ['bank-op:redirect-uri-required-and-exact'],
  async run(ctx, steps) {
    const consentId = await steps.consent(ctx.client);
    // FAPI 2.0: a form field of the pushed request; FAPI 1.0: a claim of the signed request object.
    ctx.bend((message) => {
      if (message.step !== 'par') return undefined;
      if (message.kind === 'http' && message.form?.redirect_uri) {
        message.form.redirect_uri = `${ATTACKER}/callback`;
        return message;
      }
      if (message.kind === 'jwt' && message.purpose === 'request_object') {
        message.claims.redirect_uri = `${ATTACKER}/callback`;
        return message;
      }
      return undefined;
    });
    return ctx.client.pushAuthorizationRequest(consentId);
  },
});

export const requestUriReplayed = defineAttack({
  id: 'request-uri-replayed',
  title: 'A PAR request_uri already used is opened again',
  message: 'authorization-request',
  refusals: sameRefusal(ALL_PROFILES, {
    party: 'bank-op',
    status: 400,
    error: 'invalid_request_uri',
    clause: 'RFC 9126 §2.2',
  }),
  notApplicable: { 'fapi1-baseline': BASELINE.noPar },
  threat: 'a request_uri read from a log or a browser history starts the customer’s authorization again',
  fix: 'push a new authorization request for each authorization; a request_uri is used once',
  rules: ['bank-op:request-uri-lifetime'],
  async run(ctx, steps) {
    const { pending } = await steps.authorize(ctx.client, ctx.customer);
    ctx.attackNow('request_uri: the one the customer already used');
    return openAtBank(ctx, ctx.client.authorizationUrl(pending));
  },
});

const FIXED_REQUEST_URI_TTL =
  'FAPI 2.0 pushes plain parameters, whose request_uri oidc-provider 9 keeps for a fixed 60 s (not configurable): the lab would wait a minute, and the same check refuses it (see request-uri-replayed)';

/** How long the request_uri of request-uri-expired lives: its request object's exp, seconds from now. */
const SHORT_REQUEST_URI_SECONDS = 2;

export const requestUriExpired = defineAttack({
  id: 'request-uri-expired',
  title: 'A PAR request_uri is opened after it expired',
  message: 'authorization-request',
  refusals: {
    'fapi1-advanced': {
      party: 'bank-op',
      status: 400,
      error: 'invalid_request_uri',
      clause: 'RFC 9126 §2.2',
    },
  },
  notApplicable: {
    'fapi2-dpop': FIXED_REQUEST_URI_TTL,
    'fapi2-mtls': FIXED_REQUEST_URI_TTL,
    'fapi1-baseline': BASELINE.noPar,
  },
  threat:
    'an authorization URL found later in a log, a browser history or a shared link starts an authorization the client no longer expects',
  fix: 'push a new authorization request when the customer is ready; a request_uri lives less than 600 s (FAPI 2.0 SP §5.3.2.2-12), 60 s at this bank',
  rules: ['bank-op:request-uri-lifetime'],
  async run(ctx, steps) {
    const consentId = await steps.consent(ctx.client);
    // oidc-provider keeps a pushed request object's request_uri until the object's exp (at most 60 s), so a
    // short exp gives a short-lived request_uri without waiting a minute or moving the bank's clock.
    const now = Math.floor(Date.now() / 1000);
    const expires = now + SHORT_REQUEST_URI_SECONDS;
    ctx.bend(
      onJwt('request_object', (message) => {
        message.claims.nbf = now;
        message.claims.exp = expires;
      }),
    );
    const pending = await ctx.client.pushAuthorizationRequest(consentId);
    await sleep((expires + 1) * 1000 - Date.now());
    ctx.attackNow(`request_uri: opened ${Math.floor(Date.now() / 1000) - expires} s after it expired`);
    return openAtBank(ctx, ctx.client.authorizationUrl(pending));
  },
});

/** An attack on the FAPI 1.0 Advanced request object pushed to PAR: `bend` changes it (JWT or form field). */
function requestObjectAttack(attack: {
  id: string;
  title: string;
  clause: string;
  threat: string;
  fix: string;
  rules: readonly `bank-op:${string}`[];
  bend: (now: number) => Bend;
}) {
  const { bend, clause, ...described } = attack;
  return defineAttack({
    ...described,
    message: 'par',
    refusals: {
      'fapi1-advanced': { party: 'bank-op', status: 400, error: 'invalid_request_object', clause },
    },
    notApplicable: {
      'fapi2-dpop': NO_REQUEST_OBJECT,
      'fapi2-mtls': NO_REQUEST_OBJECT,
      'fapi1-baseline': BASELINE.noRequestObject,
    },
    async run(ctx, steps) {
      const consentId = await steps.consent(ctx.client);
      ctx.bend(bend(Math.floor(Date.now() / 1000)));
      return ctx.client.pushAuthorizationRequest(consentId);
    },
  });
}

/** Replaces the `request` form field of the pushed request. */
const onRequestField = (edit: (request: string) => string): Bend =>
  onHttp('par', (message) => {
    if (!message.form?.request) return false;
    message.form.request = edit(message.form.request);
  });

export const requestObjectTampered = requestObjectAttack({
  id: 'request-object-tampered',
  title: 'The signed request object is changed after signing',
  clause: 'FAPI 1.0 Adv §5.2.2-1',
  threat: 'a proxy rewrites the request (another redirect_uri, a wider scope) and the bank obeys it',
  fix: 'sign the request object last and send it unchanged',
  rules: ['bank-op:request-object-signature'],
  bend: () =>
    onRequestField((request) =>
      withPayload(request, (claims) => {
        claims.redirect_uri = `${ATTACKER}/callback`;
      }),
    ),
});

export const requestObjectUnsigned = requestObjectAttack({
  id: 'request-object-unsigned',
  title: 'The request object is sent unsigned (alg none)',
  clause: 'FAPI 1.0 Adv §8.6-1',
  threat: 'anyone can write an authorization request in the client’s name',
  fix: 'sign request objects with PS256 or ES256; never alg none',
  rules: ['bank-op:signing-algorithms'],
  bend: () =>
    onRequestField((request) => {
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'oauth-authz-req+jwt' }));
      return `${header.toString('base64url')}.${request.split('.')[1]}.`;
    }),
});

export const requestObjectExpired = requestObjectAttack({
  id: 'request-object-expired',
  title: 'The request object expired an hour ago',
  clause: 'FAPI 1.0 Adv §5.2.2-13',
  threat: 'a request object captured once is replayed for ever',
  fix: 'set nbf to now and exp to at most an hour later',
  rules: ['bank-op:request-object-exp-nbf'],
  bend: (now) =>
    onJwt('request_object', (message) => {
      message.claims.nbf = now - 7200;
      message.claims.iat = now - 7200;
      message.claims.exp = now - 3600;
    }),
});

export const requestObjectWrongAudience = requestObjectAttack({
  id: 'request-object-wrong-aud',
  title: 'The request object is addressed to another server (aud)',
  clause: 'FAPI 1.0 Adv §5.2.2-15',
  threat: 'a request object the client signed for another server is replayed at this bank',
  fix: 'set aud to this bank’s issuer identifier',
  rules: ['bank-op:request-object-aud'],
  bend: () =>
    onJwt('request_object', (message) => {
      message.claims.aud = ATTACKER;
    }),
});

export const stateSwapped = defineAttack({
  id: 'state-swapped',
  title: 'The authorization response of another session arrives (its state)',
  message: 'authorization-response',
  refusals: {
    ...sameRefusal([...FAPI2, 'fapi1-baseline'], {
      party: 'tpp',
      status: 400,
      error: 'invalid_state',
      clause: 'RFC 6749 §10.12',
    }),
    'fapi1-advanced': { party: 'tpp', status: 400, error: 'invalid_state', clause: 'JARM §4.4' },
  },
  threat:
    'cross-site request forgery: the attacker’s own authorization lands in the victim’s session, who then uses the attacker’s account',
  fix: 'keep the state sent with each request and compare it with the response’s before reading the code',
  rules: ['tpp:state matches the request', 'tpp:JARM state matches the request'],
  async run(ctx, steps) {
    const attackers = await steps.authorize(ctx.client, ctx.customer);
    const victims = await ctx.client.pushAuthorizationRequest(await steps.consent(ctx.client));
    ctx.attackNow('authorization response: another session’s (another state)');
    return ctx.client.authorizationCode(attackers.landing, victims);
  },
});

export const mixUp = defineAttack({
  id: 'mix-up-iss',
  title: 'The authorization response comes from another server (mix-up)',
  message: 'authorization-response',
  refusals: {
    ...sameRefusal([...FAPI2, 'fapi1-baseline'], {
      party: 'tpp',
      status: 400,
      error: 'invalid_issuer',
      clause: 'RFC 9207 §2.4',
    }),
    'fapi1-advanced': { party: 'tpp', status: 400, error: 'invalid_request', clause: 'RFC 7515 §5.2' },
  },
  threat:
    'an attacker’s authorization server makes the client send a code meant for it to the honest bank, and steals the tokens (mix-up)',
  fix: 'compare iss (FAPI 2.0: the iss parameter, RFC 9207; FAPI 1.0: the JARM JWT’s signature and iss) with the issuer the request went to',
  rules: [
    'tpp:iss is the bank the request was sent to',
    'tpp:JARM response verifies',
    'bank-op:iss-in-authorization-response',
    'bank-op:jarm',
  ],
  async run(ctx, steps) {
    const { pending, landing } = await steps.authorize(ctx.client, ctx.customer);
    const response = new URL(landing);
    if (ctx.variant.jarm) {
      // The attacker's server signs a JARM response of its own, with its own key and issuer.
      const { privateKey } = await generateKeyPair('ES256');
      const forged = await new SignJWT({
        iss: ATTACKER,
        aud: ctx.client.clientId,
        code: 'attacker-code',
        state: pending.state,
      })
        .setProtectedHeader({ alg: 'ES256' })
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      response.searchParams.set('response', forged);
      ctx.attackNow(`JARM response: signed by ${ATTACKER}, iss ${ATTACKER}`);
    } else {
      response.searchParams.set('iss', ATTACKER);
      ctx.attackNow(`iss: ${ATTACKER}`);
    }
    return ctx.client.authorizationCode(response, pending);
  },
});

export const jarmTampered = defineAttack({
  id: 'jarm-tampered',
  title: 'The JARM response is changed after the bank signed it',
  message: 'authorization-response',
  refusals: {
    'fapi1-advanced': { party: 'tpp', status: 400, error: 'invalid_request', clause: 'RFC 7515 §5.2' },
  },
  notApplicable: { 'fapi2-dpop': NO_JARM, 'fapi2-mtls': NO_JARM, 'fapi1-baseline': BASELINE.noJarm },
  threat: 'a code injected into the response in the browser is redeemed as if the bank had sent it',
  fix: 'verify the JARM JWT’s signature with the bank’s keys before reading code or state',
  rules: ['tpp:JARM response verifies', 'bank-op:jarm'],
  async run(ctx, steps) {
    const { pending, landing } = await steps.authorize(ctx.client, ctx.customer);
    const response = new URL(landing);
    const jarm = response.searchParams.get('response') ?? '';
    response.searchParams.set(
      'response',
      withPayload(jarm, (claims) => {
        claims.code = 'injected-code';
      }),
    );
    ctx.attackNow('JARM response: claim code replaced, signature kept');
    return ctx.client.authorizationCode(response, pending);
  },
});
