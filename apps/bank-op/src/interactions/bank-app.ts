// The bank app's routes (GET /bank-app, POST /bank-app/sign-in, /requests/:id, /sign-out): the customer's
// side of decoupled authentication (CIBA §8). Approving authorises the consent the request names for the
// chosen accounts and hands oidc-provider a grant for exactly what was asked (provider.backchannelResult);
// denying rejects the consent and ends the request with access_denied (CIBA §11), which the TPP receives
// at its next poll (or after the bank's ping).
//
// The app's session is a cookie the bank signs (HMAC with the interaction secret): the customer's id and
// its expiry, HttpOnly, Secure, SameSite=Lax, for /bank-app only. CSRF: every form carries a token
// derived from the same secret (RFC 6749 §10.12), and POSTs must come from the bank's own pages (W3C
// Fetch Metadata §2.4).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { BankDomainError } from '@fapi-sandbox/bank-domain';
import { composeDescription, OAuthError, oauthSafeText } from '@fapi-sandbox/fapi-core/errors';
import { crossSiteRefusal } from '@fapi-sandbox/fapi-core/same-origin';
import { parseCookie, stringifySetCookie } from 'cookie';
import express, { type Request, type Response, type Router } from 'express';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { BankAppInbox } from '../provider/bank-app-inbox.js';
import { consentForAuthorization, IntentError, SCA_ACR } from '../provider/intent.js';
import { BANK_APP_PATH, bankAppPage, bankAppSignInPage, type PendingRequestView } from './bank-app-page.js';
import {
  createInteractionContext,
  type InteractionContext,
  type InteractionDependencies,
} from './context.js';
import { formValue, formValues } from './form-fields.js';

const COOKIE = 'bank_app';
const SESSION_SECONDS = 10 * 60;

type BackchannelRequest = InstanceType<Provider['BackchannelAuthenticationRequest']>;

function sessionCookies(secret: Buffer) {
  const mac = (value: string) =>
    createHmac('sha256', secret).update(`bank-app-session:${value}`).digest('base64url');
  return {
    issue(res: Response, customerId: string): void {
      const value = `${customerId}.${Math.floor(Date.now() / 1000) + SESSION_SECONDS}`;
      res.append(
        'Set-Cookie',
        stringifySetCookie({
          name: COOKIE,
          value: `${value}.${mac(value)}`,
          httpOnly: true,
          secure: true,
          sameSite: 'lax',
          path: BANK_APP_PATH,
          maxAge: SESSION_SECONDS,
        }),
      );
    },
    clear(res: Response): void {
      res.append(
        'Set-Cookie',
        stringifySetCookie({
          name: COOKIE,
          value: '',
          httpOnly: true,
          secure: true,
          path: BANK_APP_PATH,
          maxAge: 0,
        }),
      );
    },
    /** The signed-in customer's id, when the cookie is the bank's own and unexpired. */
    customerOf(req: Request): string | undefined {
      const raw = parseCookie(req.headers.cookie ?? '')[COOKIE];
      const [customerId, expiry, signature] = raw?.split('.') ?? [];
      if (!customerId || !expiry || !signature) return undefined;
      const expected = Buffer.from(mac(`${customerId}.${expiry}`));
      const given = Buffer.from(signature);
      const genuine = given.length === expected.length && timingSafeEqual(given, expected);
      return genuine && Number(expiry) > Date.now() / 1000 ? customerId : undefined;
    },
  };
}

/** The request, if it still waits for this customer (not decided, not expired, not redeemed). */
async function pendingRequest(
  ctx: InteractionContext,
  customerId: string,
  authReqId: string,
): Promise<BackchannelRequest | undefined> {
  const request = (await ctx.provider.BackchannelAuthenticationRequest.find(authReqId)) as
    | BackchannelRequest
    | undefined;
  const decided = request?.grantId || request?.error || request?.consumed;
  return request && request.accountId === customerId && !decided ? request : undefined;
}

const consentOf = (ctx: InteractionContext, request: BackchannelRequest) =>
  consentForAuthorization(ctx.bank, {
    clientId: String(request.clientId),
    scope: request.scope,
    claims: request.claims,
  });

/** The claims the request asks for by name (OIDC Core §5.5): the grant allows exactly those. */
function requestedClaimNames(claims: unknown): string[] {
  const parsed = (typeof claims === 'string' ? JSON.parse(claims) : claims) as
    | Record<string, Record<string, unknown> | undefined>
    | undefined;
  return [...new Set(['id_token', 'userinfo'].flatMap((member) => Object.keys(parsed?.[member] ?? {})))];
}

export function bankAppRoutes(deps: InteractionDependencies & { inbox: BankAppInbox }): Router {
  const ctx = createInteractionContext(deps);
  const sessions = sessionCookies(deps.secret);
  const bankOrigin = new URL(ctx.provider.issuer).origin;
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const router = express.Router();

  const sameOrigin = (req: Request) => {
    const refusal = crossSiteRefusal(req.headers, bankOrigin, 'use the bank app page itself');
    if (refusal) throw refusal;
  };
  const assertToken = (req: Request, res: Response, purpose: string) =>
    ctx.formToken.assert(req, res, purpose);

  function renderSignIn(res: Response, status = 200, error?: string, username?: string) {
    ctx.send(
      res,
      status,
      bankAppSignInPage({
        bankName: ctx.bankName,
        csrfToken: ctx.formToken.tokenFor('bank-app:sign-in'),
        demoCredentials: ctx.bank.customers.demoCredentials(),
        ...(error ? { error } : {}),
        ...(username ? { username } : {}),
      }),
    );
  }

  async function renderApp(
    res: Response,
    customerId: string,
    options: { status?: number; notice?: string; errorFor?: { authReqId: string; error: string } } = {},
  ) {
    const [customer, accounts, ids] = await Promise.all([
      ctx.bank.customers.get(customerId),
      ctx.bank.accounts.listForCustomer(customerId),
      deps.inbox.list(customerId),
    ]);
    const requests: PendingRequestView[] = [];
    for (const id of ids) {
      const request = await pendingRequest(ctx, customerId, id);
      if (!request) continue;
      const consent = await consentOf(ctx, request).catch((err) => {
        if (err instanceof IntentError) return undefined;
        throw err;
      });
      if (!consent) continue;
      requests.push({
        authReqId: id,
        csrfToken: ctx.formToken.tokenFor(`bank-app:${customerId}:${id}`),
        tpp: await ctx.tppNamed(String(request.clientId)),
        bindingMessage: String(request.params?.binding_message ?? ''),
        scope: String(request.scope),
        consent,
        expiresAt: Number(request.exp),
        ...(options.errorFor?.authReqId === id ? { error: options.errorFor.error } : {}),
      });
    }
    ctx.send(
      res,
      options.status ?? 200,
      bankAppPage({
        bankName: ctx.bankName,
        customerName: customer?.displayName ?? customerId,
        signOutToken: ctx.formToken.tokenFor(`bank-app:${customerId}:sign-out`),
        requests,
        accounts,
        ...(options.notice ? { notice: options.notice } : {}),
      }),
    );
  }

  /**
   * Records the customer's answer (CIBA §8) and, for a ping client, notifies it (CIBA §10.2). A failing
   * ping leaves the recorded answer standing: the client still collects it by polling at its interval, so
   * that failure is logged for the bank and the customer sees their answer taken. Any other failure means
   * the answer was not recorded, and the customer is told (the error handler's page).
   */
  async function recordAnswer(
    request: BackchannelRequest,
    result: Parameters<Provider['backchannelResult']>[1],
    details?: Parameters<Provider['backchannelResult']>[2],
  ): Promise<void> {
    try {
      await ctx.provider.backchannelResult(request, result, details);
    } catch (err) {
      const stored = (await ctx.provider.BackchannelAuthenticationRequest.find(String(request.jti), {
        ignoreExpiration: true,
      })) as BackchannelRequest | undefined;
      if (!stored?.grantId && !stored?.error) throw err;
      deps.log?.warn(
        { err: String(err), clientId: String(request.clientId) },
        composeDescription({
          description: 'The ping to the client failed after the customer’s answer was recorded',
          clause: 'CIBA §10.2',
          fix: 'the client collects the answer at its next poll of the token endpoint',
        }),
      );
    }
  }

  router.get(BANK_APP_PATH, async (req, res) => {
    const customerId = sessions.customerOf(req);
    if (!customerId) {
      renderSignIn(res);
      return;
    }
    const done = req.query.done;
    await renderApp(res, customerId, {
      ...(done === 'approved' || done === 'denied' ? { notice: `Request ${done}.` } : {}),
    });
  });

  router.post(`${BANK_APP_PATH}/sign-in`, form, async (req, res) => {
    sameOrigin(req);
    assertToken(req, res, 'bank-app:sign-in');
    const username = formValue(req.body, 'username') ?? '';
    const customer = await ctx.bank.customers.authenticate(username, formValue(req.body, 'password') ?? '');
    if (!customer) {
      renderSignIn(res, 401, 'The username or password is not right. Check them and try again.', username);
      return;
    }
    sessions.issue(res, customer.customerId);
    res.redirect(303, BANK_APP_PATH);
  });

  router.post(`${BANK_APP_PATH}/sign-out`, form, async (req, res) => {
    sameOrigin(req);
    const customerId = sessions.customerOf(req);
    if (customerId) assertToken(req, res, `bank-app:${customerId}:sign-out`);
    sessions.clear(res);
    res.redirect(303, BANK_APP_PATH);
  });

  router.post(`${BANK_APP_PATH}/requests/:id`, form, async (req, res) => {
    sameOrigin(req);
    const customerId = sessions.customerOf(req);
    if (!customerId) {
      renderSignIn(res, 401, 'Your session in the app ended. Sign in again to answer the request.');
      return;
    }
    const authReqId = String(req.params.id);
    assertToken(req, res, `bank-app:${customerId}:${authReqId}`);
    const request = await pendingRequest(ctx, customerId, authReqId);
    const consent = request ? await consentOf(ctx, request).catch(() => undefined) : undefined;
    if (!request || !consent) {
      throw new OAuthError({
        status: 404,
        error: 'not_found',
        description: 'This request is no longer waiting: it was answered, it expired, or its consent ended',
        clause: 'CIBA §7.3',
        fix: 'ask the app to start again',
      });
    }

    if (formValue(req.body, 'decision') !== 'approve') {
      await ctx.bank.consents.reject(consent.consentId);
      // CIBA §11: access_denied, at the client's next poll (or after the ping).
      await recordAnswer(
        request,
        new errors.AccessDenied(oauthSafeText('The customer denied the request in the bank app')),
      );
      res.redirect(303, `${BANK_APP_PATH}?done=denied`);
      return;
    }

    const accountIds = formValues(req.body, 'accounts');
    try {
      await ctx.bank.consents.authorise(consent.consentId, { customerId, accountIds });
    } catch (err) {
      if (!(err instanceof BankDomainError)) throw err;
      const error = accountIds.length === 0 ? 'Choose at least one account.' : err.message;
      await renderApp(res, customerId, { status: 400, errorFor: { authReqId, error } });
      return;
    }
    // The grant covers what the request asked for and the customer approved, as the consent page's does.
    const grant = new ctx.provider.Grant({ accountId: customerId, clientId: String(request.clientId) });
    const scopes = String(request.scope).split(' ');
    grant.addOIDCScope(scopes.filter((scope) => scope === 'openid').join(' '));
    grant.addOIDCClaims(requestedClaimNames(request.claims));
    for (const resource of [request.resource ?? []].flat()) {
      grant.addResourceScope(String(resource), scopes.filter((scope) => scope !== 'openid').join(' '));
    }
    await grant.save();
    // PSD2 RTS Art. 4: the password (knowledge) on the registered device (possession, the app's key).
    await recordAnswer(request, grant, {
      acr: SCA_ACR,
      amr: ['pwd', 'swk'],
      authTime: Math.floor(Date.now() / 1000),
    });
    res.redirect(303, `${BANK_APP_PATH}?done=approved`);
  });

  return router;
}
