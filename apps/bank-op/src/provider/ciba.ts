// Decoupled authentication (CIBA Core 1.0, profiled by FAPI-CIBA): oidc-provider runs the backchannel
// authentication endpoint and the CIBA grant; this module is what it leaves to the bank: who the
// login_hint names, the binding message, the consent the request is for, the customer's bank app, and the
// polling pace (oidc-provider answers neither `interval` nor `slow_down`).
import type { BankStore } from '@fapi-sandbox/bank-domain';
import { composeDescription, oauthSafeText } from '@fapi-sandbox/fapi-core/errors';
import type Provider from 'oidc-provider';
import { type Adapter, type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { CIBA_GRANT_TYPE, type CibaPolicy, FAPI_CIBA } from '../profiles/fapi-ciba.js';
import { profileOf, unionOfProfiles } from '../profiles/index.js';
import type { BankAppInbox } from './bank-app-inbox.js';
import { consentForAuthorization, IntentError } from './intent.js';

/** The pace of each auth_req_id's polls, in oidc-provider's storage (shared by replicas). */
export const POLL_MODEL = 'CibaPoll';

/** RFC 6749 §5.2: error_description in its charset (oidc-provider sends these as they are). */
const describe = (init: Parameters<typeof composeDescription>[0]) => oauthSafeText(composeDescription(init));

const policyOf = (client: unknown): CibaPolicy => profileOf(client as never).client.ciba ?? FAPI_CIBA;

type CibaFeature = NonNullable<NonNullable<Configuration['features']>['ciba']>;

export function cibaFeature(deps: { bank: BankStore; inbox: BankAppInbox }): CibaFeature {
  const { bank, inbox } = deps;
  return {
    enabled: true,
    // FAPI-CIBA §5.2.2-3/-4/-5: poll and ping; push is not implemented by oidc-provider nor allowed.
    deliveryModes: unionOfProfiles((profile) => profile.client.ciba?.deliveryModes ?? []),
    // CIBA §7.1: login_hint names the customer; here, their username at the bank.
    async processLoginHint(_ctx, loginHint) {
      const customer = await bank.customers.findByUsername(String(loginHint));
      if (!customer) {
        throw new errors.UnknownUserId(
          describe({
            description: `The bank has no customer with the username ${JSON.stringify(loginHint)}`,
            clause: 'CIBA §7.1, §13',
            fix: 'send the username the customer signs in to the bank with as login_hint',
          }),
        );
      }
      return customer.customerId;
    },
    async processLoginHintToken() {
      throw new errors.InvalidRequest(
        describe({
          description: 'login_hint_token is not accepted by this bank',
          clause: 'CIBA §7.1',
          fix: "send login_hint, the customer's username at the bank",
        }),
      );
    },
    // The bank's app asks for the customer's own sign-in; no user_code is registered or needed.
    async verifyUserCode(_ctx, _account, userCode) {
      if (userCode !== undefined) {
        throw new errors.InvalidRequest(
          describe({
            description: 'user_code is not used by this bank: the customer signs in to the bank app',
            clause: 'CIBA §7.1',
            fix: 'leave out user_code',
          }),
        );
      }
    },
    // FAPI-CIBA §5.2.2-2: a binding message is required; CIBA §7.1: short and plain, shown on both devices.
    async validateBindingMessage(ctx, bindingMessage) {
      const rule = policyOf(ctx.oidc.client).bindingMessage;
      const problem =
        bindingMessage === undefined
          ? 'The request has no binding_message'
          : rule.pattern.test(bindingMessage)
            ? undefined
            : `The binding_message ${JSON.stringify(bindingMessage)} is not short plain text`;
      if (problem) {
        throw new errors.InvalidBindingMessage(
          describe({
            description: `${problem}: it must be ${rule.description}`,
            clause: 'FAPI-CIBA §5.2.2-2, CIBA §7.1',
            fix: 'send a short binding_message (e.g. "Moneywise 4821") in the signed request, and show the same text to the customer',
          }),
        );
      }
    },
    // UK OB: the request names the consent the TPP created at bank-api; it is checked before the
    // customer's app is troubled with it (as the redirect flow checks it before the sign-in page).
    async validateRequestContext(ctx) {
      const { params, client } = ctx.oidc;
      try {
        const consent = await consentForAuthorization(bank, {
          clientId: String(client?.clientId),
          scope: params?.scope as string | undefined,
          claims: params?.claims,
        });
        if (!consent) {
          throw new IntentError(
            'invalid_request',
            'The request asks for no account information or payment (scope accounts or payments)',
            'ask for scope openid accounts, naming the consent created at bank-api',
          );
        }
      } catch (err) {
        if (err instanceof IntentError) throw new errors.InvalidRequest(oauthSafeText(err.message));
        throw err;
      }
    },
    // CIBA §7.3 and §8: the request is accepted; the customer's device (the bank-app page) shows it.
    async triggerAuthenticationDevice(_ctx, request, account) {
      // `expiration` is the request's lifetime in seconds (its exp is only set in storage).
      const expiresAt = Math.floor(Date.now() / 1000) + request.expiration;
      await inbox.add(account.accountId, { authReqId: request.jti, expiresAt });
    },
  } as CibaFeature;
}

/** CIBA §7.1.1: besides what a request object has, a signed authentication request carries iat and jti. */
export function assertSignedAuthenticationRequest(
  ctx: KoaContextWithOIDC,
  claims: Record<string, unknown>,
): void {
  if (ctx.oidc.route !== 'backchannel_authentication') return;
  const missing = ['iat', 'jti', 'exp', 'nbf'].filter((claim) => claims[claim] === undefined);
  if (missing.length > 0) {
    throw new errors.InvalidRequest(
      describe({
        description: `The signed authentication request has no ${missing.join(', ')}`,
        clause: 'CIBA §7.1.1, FAPI-CIBA §5.2.2-6/-9',
        fix: 'sign the request with iss, aud, exp, iat, nbf and jti',
      }),
    );
  }
}

interface PollPace {
  /** Epoch ms of the last poll. */
  at: number;
  /** Seconds the client must wait before its next poll. */
  interval: number;
}

/**
 * CIBA §7.3: the backchannel response names the polling interval; CIBA §11: a client that polls one
 * auth_req_id sooner gets slow_down, and must wait 5 s more from then on. Only polls that oidc-provider
 * answered authorization_pending are paced: they came from the authenticated client, for a request still
 * waiting for the customer.
 */
export function paceCibaPolls(provider: Provider, store: { adapterFor(model: string): Adapter }): void {
  const pace = store.adapterFor(POLL_MODEL);
  provider.use(async (ctx, next) => {
    await next();
    const oidc = (ctx as KoaContextWithOIDC).oidc;
    if (!oidc || ctx.status !== (oidc.route === 'token' ? 400 : 200)) return;
    const body = ctx.body as Record<string, unknown> | undefined;
    const policy = policyOf(oidc.client);
    if (oidc.route === 'backchannel_authentication' && typeof body?.auth_req_id === 'string') {
      body.interval = policy.pollIntervalSeconds;
      return;
    }
    const params = oidc.params as Record<string, unknown> | undefined;
    if (oidc.route !== 'token' || params?.grant_type !== CIBA_GRANT_TYPE) return;
    if (body?.error !== 'authorization_pending') return;
    const id = String(params.auth_req_id);
    const now = Date.now();
    const last = (await pace.find(id)) as PollPace | undefined;
    let interval = last?.interval ?? policy.pollIntervalSeconds;
    if (last && now - last.at < interval * 1000) {
      const waited = ((now - last.at) / 1000).toFixed(1);
      interval += policy.slowDownStepSeconds;
      ctx.body = {
        error: 'slow_down',
        error_description: describe({
          description: `This auth_req_id was polled again after ${waited} s, sooner than its interval`,
          clause: 'CIBA §7.3, §11',
          fix: `wait at least ${interval} s between polls from now on`,
        }),
      };
    }
    await pace.upsert(id, { at: now, interval } as never, policy.requestSeconds);
  });
}
