// Attacks at the token endpoint: what code single use, PKCE, the code's binding to its client and the
// client's authentication (private_key_jwt) stop.
import { randomBytes } from 'node:crypto';
import { defineAttack, sameRefusal, WITH_BASELINE } from './attack.js';
import { ATTACKER, onHttp, onJwt, replayFirst } from './bends.js';

const CERTIFICATE_AUTH =
  'tls_client_auth sends no client assertion: the TLS handshake authenticates the client';

export const codeReuse = defineAttack({
  id: 'code-reuse',
  title: 'An authorization code is redeemed a second time',
  message: 'token:authorization_code',
  refusals: sameRefusal(WITH_BASELINE, {
    party: 'bank-op',
    status: 400,
    error: 'invalid_grant',
    clause: 'RFC 6749 §4.1.2',
  }),
  threat: 'a code leaked from a log or a referrer is redeemed by whoever read it',
  fix: 'redeem each code once; the bank revokes the tokens of a code redeemed twice',
  rules: ['bank-op:code-single-use'],
  async run(ctx, steps) {
    const { pending, code } = await steps.code(ctx.client, ctx.customer);
    await ctx.client.exchangeCode(pending, code);
    ctx.attackNow('code: the one already redeemed');
    return ctx.client.exchangeCode(pending, code);
  },
});

export const codeInjection = defineAttack({
  id: 'code-injection',
  title: 'A code from another session is redeemed with this session’s PKCE verifier',
  message: 'token:authorization_code',
  refusals: sameRefusal(WITH_BASELINE, {
    party: 'bank-op',
    status: 400,
    error: 'invalid_grant',
    clause: 'RFC 7636',
  }),
  threat: 'a stolen code is injected into the victim’s session and redeemed for the attacker’s account',
  fix: 'send the code_verifier of the request this code answers (PKCE S256)',
  rules: ['bank-op:pkce-s256', 'bank-op:pkce-with-par'],
  async run(ctx, steps) {
    const stolen = await steps.code(ctx.client, ctx.customer);
    const victims = await ctx.client.pushAuthorizationRequest(await steps.consent(ctx.client));
    ctx.attackNow('code: from another authorization (another PKCE challenge)');
    return ctx.client.exchangeCode(victims, stolen.code);
  },
});

/** The code redeemed with its PKCE verifier changed by `edit` (RFC 7636 §4.5, §4.6). */
function pkceAttack(attack: {
  id: string;
  title: string;
  threat: string;
  fix: string;
  edit: (form: Record<string, string>) => void;
}) {
  const { edit, ...described } = attack;
  return defineAttack({
    ...described,
    message: 'token:authorization_code',
    refusals: sameRefusal(WITH_BASELINE, {
      party: 'bank-op',
      status: 400,
      error: 'invalid_grant',
      clause: 'RFC 7636',
    }),
    rules: ['bank-op:pkce-s256', 'bank-op:pkce-with-par'],
    async run(ctx, steps) {
      const { pending, code } = await steps.code(ctx.client, ctx.customer);
      ctx.bend(
        onHttp('token:authorization_code', (message) => {
          if (message.form) edit(message.form);
        }),
      );
      return ctx.client.exchangeCode(pending, code);
    },
  });
}

export const pkceVerifierMissing = pkceAttack({
  id: 'pkce-verifier-missing',
  title: 'The code is redeemed without its PKCE verifier',
  threat: 'a stolen code is redeemed by anyone who holds it, without the secret only the client knows',
  fix: 'send code_verifier with the code',
  edit: (form) => {
    delete form.code_verifier;
  },
});

export const pkceVerifierWrong = pkceAttack({
  id: 'pkce-verifier-wrong',
  title: 'The code is redeemed with a guessed PKCE verifier',
  threat: 'a stolen code is redeemed with a made-up verifier',
  fix: 'send the code_verifier whose S256 hash was the code_challenge',
  edit: (form) => {
    form.code_verifier = randomBytes(32).toString('base64url');
  },
});

export const codeOfAnotherClient = defineAttack({
  id: 'code-of-another-client',
  title: 'Another client redeems this client’s code',
  message: 'token:authorization_code',
  refusals: sameRefusal(WITH_BASELINE, {
    party: 'bank-op',
    status: 400,
    error: 'invalid_grant',
    clause: 'RFC 6749 §4.1.3',
  }),
  threat: 'a code stolen from one app is redeemed by another registered app',
  fix: 'redeem a code with the client that started the authorization',
  rules: ['bank-op:code-bound-to-client'],
  async run(ctx, steps) {
    const { pending, code } = await steps.code(ctx.client, ctx.customer);
    const other = await ctx.connectAnother();
    ctx.attackNow(`client: ${other.clientId}, not the one the code was issued to`);
    return other.exchangeCode(pending, code);
  },
});

export const clientAssertionReplayed = defineAttack({
  id: 'client-assertion-replayed',
  title: 'A client assertion is sent again (same jti)',
  message: 'token:client_credentials',
  refusals: {
    'fapi2-dpop': {
      party: 'bank-op',
      status: 401,
      error: 'invalid_client',
      clause: 'FAPI 2.0 SP §5.3.2.1-6',
    },
    'fapi1-advanced': {
      party: 'bank-op',
      status: 401,
      error: 'invalid_client',
      clause: 'FAPI 1.0 Adv §5.2.2-14',
    },
    'fapi1-baseline': {
      party: 'bank-op',
      status: 401,
      error: 'invalid_client',
      clause: 'FAPI 1.0 Part 1 §5.2.2-4',
    },
  },
  notApplicable: { 'fapi2-mtls': CERTIFICATE_AUTH },
  threat: 'a client assertion copied from a log authenticates the attacker as the TPP',
  fix: 'sign a new assertion, with a new jti, for every request',
  rules: ['bank-op:client-authentication'],
  async run(ctx) {
    // The first call fetches the bank's DPoP nonce, so the assertion kept below is one the bank accepted.
    await ctx.client.clientCredentialsToken('accounts');
    ctx.bend(
      replayFirst(
        'token:client_credentials',
        (message) => message.form?.client_assertion,
        (message, assertion) => {
          if (message.form) message.form.client_assertion = assertion;
        },
      ),
    );
    await ctx.client.clientCredentialsToken('accounts');
    return ctx.client.clientCredentialsToken('accounts');
  },
});

export const clientAssertionWrongAudience = defineAttack({
  id: 'client-assertion-wrong-aud',
  title: 'The client assertion is addressed to another server (aud)',
  message: 'token:client_credentials',
  refusals: {
    'fapi2-dpop': {
      party: 'bank-op',
      status: 401,
      error: 'invalid_client',
      clause: 'FAPI 2.0 SP §5.3.2.1-8',
    },
    'fapi1-advanced': {
      party: 'bank-op',
      status: 401,
      error: 'invalid_client',
      clause: 'FAPI 1.0 Adv §5.2.2-14',
    },
    'fapi1-baseline': {
      party: 'bank-op',
      status: 401,
      error: 'invalid_client',
      clause: 'FAPI 1.0 Part 1 §5.2.2-4',
    },
  },
  notApplicable: { 'fapi2-mtls': CERTIFICATE_AUTH },
  threat: 'an assertion the TPP signed for another server authenticates the attacker here',
  fix: 'set aud to the bank’s issuer identifier, as a string',
  rules: ['bank-op:assertion-audience-is-issuer', 'bank-op:client-authentication'],
  async run(ctx) {
    ctx.bend(
      onJwt(
        'client_assertion',
        (message) => {
          message.claims.aud = ATTACKER;
        },
        'token:client_credentials',
      ),
    );
    return ctx.client.clientCredentialsToken('accounts');
  },
});

export const refreshTokenRevoked = defineAttack({
  id: 'refresh-token-revoked',
  title: 'A revoked refresh token is used again',
  message: 'token:refresh_token',
  refusals: sameRefusal(WITH_BASELINE, {
    party: 'bank-op',
    status: 400,
    error: 'invalid_grant',
    clause: 'RFC 7009 §2.1',
  }),
  threat: 'a disconnected TPP, or whoever stole its refresh token, keeps reading the accounts',
  fix: 'the connection has ended: ask the customer to authorise a new consent',
  rules: ['bank-op:revocation-reaches-bank-api'],
  async run(ctx, steps) {
    const token = await steps.token(ctx.client, ctx.customer);
    await ctx.client.revoke(token.refreshToken ?? '', 'refresh_token');
    ctx.attackNow('refresh_token: revoked at the bank (RFC 7009)');
    return ctx.client.refresh(token);
  },
});
