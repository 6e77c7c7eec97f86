// The customer's part of an authorization (oidc-provider "interactions"): sign in with strong customer
// authentication (for a payment every time, with a passcode linked to its amount and payee; see
// provider/interaction-policy.ts), then authorise or reject the consent the TPP's request names. The consent's status is
// written in the bank's domain (authorised with the chosen accounts, or rejected), and the grant handed
// to oidc-provider covers exactly what was asked. Deny and cancel send access_denied back to the TPP.
//
// CSRF: the interaction cookie oidc-provider sets is SameSite=Lax and bound to the interaction id, and
// every form carries a per-interaction token derived from a server secret.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { BankStore, Consent } from '@fapi-sandbox/bank-domain';
import { BankDomainError } from '@fapi-sandbox/bank-domain';
import { OAuthError, oauthSafeText, refusalLogLine } from '@fapi-sandbox/fapi-core/errors';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type Provider from 'oidc-provider';
import { errors, type InteractionResults } from 'oidc-provider';
import type { DirectoryReads } from '../participants/directory.js';
import { consentForAuthorization, IntentError, isPaymentAuthorization, SCA_ACR } from '../provider/intent.js';
import { consentPage } from './consent-page.js';
import { expiredSignInPage, type ReturnLink } from './expired-page.js';
import { PAGE_CSP } from './layout.js';
import { loginPage } from './login-page.js';
import { createPasscodes, type PaymentToConfirm, paymentToConfirm } from './passcode.js';
import {
  noteConsentChecked,
  noteConsentPage,
  noteConsentRefused,
  noteDecision,
  noteFormToken,
  noteSignIn,
  noteSignInPage,
} from './trace-notes.js';

export interface InteractionDependencies {
  provider: Provider;
  bank: BankStore;
  directory: DirectoryReads;
  bankName: string;
  /** Secret for the per-interaction CSRF token and the one-time passcodes. */
  secret: Buffer;
  /** One line per sign-in the bank no longer holds (an expected refusal, like every other). */
  log?: (line: string) => void;
}

type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

function derive(secret: Buffer, purpose: string, uid: string): Buffer {
  return createHmac('sha256', secret).update(`${purpose}:${uid}`).digest();
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function formValue(body: unknown, name: string): string | undefined {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** The value as a web URL, or undefined when it is none (never a javascript: or data: link). */
function webUrl(value: string | undefined): URL | undefined {
  if (!value || !URL.canParse(value)) return undefined;
  const url = new URL(value);
  return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
}

function formValues(body: unknown, name: string): string[] {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function interactionRoutes(deps: InteractionDependencies): Router {
  const { provider, bank, directory, bankName, secret } = deps;
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });

  const csrfToken = (uid: string) => derive(secret, 'csrf', uid).toString('base64url');
  const passcodes = createPasscodes(secret);

  /** RFC 6749 §10.12: the authorization server protects its own forms against CSRF. */
  function assertCsrf(req: Request, res: Response, uid: string): void {
    const passed = sameText(formValue(req.body, 'csrf') ?? '', csrfToken(uid));
    noteFormToken(res, passed);
    if (!passed) {
      throw new OAuthError({
        status: 403,
        error: 'access_denied',
        description: 'The form was not submitted from the page the bank served for this sign-in',
        fix: 'start again from the app',
      });
    }
  }

  function send(res: Response, status: number, body: string): void {
    res
      .status(status)
      .set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store' })
      .type('html')
      .send(body);
  }

  async function finish(
    req: Request,
    res: Response,
    result: InteractionResults,
    merge: boolean,
  ): Promise<void> {
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: merge });
  }

  async function refuse(req: Request, res: Response, error: string, description: string): Promise<void> {
    await finish(req, res, { error, error_description: oauthSafeText(description) }, false);
  }

  async function tppOf(details: Details): Promise<{ name: string; logoUri?: string; orgName?: string }> {
    return tppNamed(String(details.params.client_id));
  }

  async function tppNamed(clientId: string): Promise<{ name: string; logoUri?: string; orgName?: string }> {
    const client = await provider.Client.find(clientId);
    const softwareId = (client as unknown as { software_id?: string } | undefined)?.software_id;
    const fallback = { name: client?.clientName ?? 'An app', logoUri: client?.logoUri };
    try {
      const listed = (await directory.participants()).softwareStatements.find(
        (s) => s.softwareId === softwareId,
      );
      return listed
        ? { name: listed.clientName, logoUri: listed.logoUri ?? fallback.logoUri, orgName: listed.orgName }
        : fallback;
    } catch {
      return fallback;
    }
  }

  /** The consent the request names, or undefined after sending the TPP an error. */
  async function consentOrRefuse(
    req: Request,
    res: Response,
    details: Details,
  ): Promise<Consent | undefined> {
    try {
      const consent = consentForAuthorization(bank, {
        clientId: String(details.params.client_id),
        scope: details.params.scope as string | undefined,
        claims: details.params.claims,
      });
      if (!consent) {
        // The bank's consent page is about a consent: an authorization for nothing has nothing to approve.
        throw new IntentError(
          'invalid_request',
          'The request asks for no account information or payment (scope accounts or payments)',
          'ask for scope openid accounts or openid payments, naming the consent created at bank-api',
        );
      }
      noteConsentChecked(res, consent);
      return consent;
    } catch (err) {
      if (err instanceof IntentError) {
        noteConsentRefused(res, err.message);
        await refuse(req, res, err.error, err.message);
        return undefined;
      }
      throw err;
    }
  }

  /**
   * What a sign-in is for: a payment's sign-in confirms that payment (its consent is checked first, so
   * the customer never types a code for a payment the bank would refuse); any other sign-in is plain.
   * Undefined after sending the TPP an error.
   */
  async function signInFor(
    req: Request,
    res: Response,
    details: Details,
  ): Promise<{ payment?: PaymentToConfirm } | undefined> {
    const request = { scope: details.params.scope as string | undefined, claims: details.params.claims };
    if (!isPaymentAuthorization(bank, request)) return {};
    const consent = await consentOrRefuse(req, res, details);
    if (!consent) return undefined;
    const payment = paymentToConfirm(consent);
    return payment ? { payment } : {};
  }

  async function renderLogin(
    res: Response,
    details: Details,
    signIn: { payment?: PaymentToConfirm },
    status = 200,
    error?: string,
    username?: string,
  ) {
    const tpp = await tppOf(details);
    send(
      res,
      status,
      loginPage({
        bankName,
        action: `/interaction/${details.uid}/login`,
        csrfToken: csrfToken(details.uid),
        clientId: String(details.params.client_id),
        clientName: tpp.name,
        demoCredentials: bank.customers.demoCredentials(),
        passcode: passcodes.codeFor(details.uid, signIn.payment),
        payment: signIn.payment,
        ...(error ? { error } : {}),
        ...(username ? { username } : {}),
      }),
    );
  }

  async function renderConsent(
    res: Response,
    details: Details,
    consent: Consent,
    status = 200,
    error?: string,
  ) {
    const customerId = String(details.session?.accountId);
    const customer = bank.customers.get(customerId);
    send(
      res,
      status,
      consentPage({
        bankName,
        action: `/interaction/${details.uid}/consent`,
        csrfToken: csrfToken(details.uid),
        clientId: String(details.params.client_id),
        tpp: await tppOf(details),
        consent,
        accounts: bank.accounts.listForCustomer(customerId),
        customerName: customer?.displayName ?? customerId,
        ...(error ? { error } : {}),
      }),
    );
  }

  /** Where the expired page sends the customer: the registered app the form names, if there is one. */
  async function returnLinkOf(clientId: string | undefined): Promise<ReturnLink | undefined> {
    if (!clientId) return undefined;
    const client = await provider.Client.find(clientId).catch(() => undefined);
    if (!client) return undefined;
    const redirectUri = webUrl(client.redirectUris?.[0]);
    const url = webUrl(client.clientUri)?.href ?? (redirectUri ? `${redirectUri.origin}/` : undefined);
    return url ? { name: (await tppNamed(clientId)).name, url } : undefined;
  }

  async function renderExpired(req: Request, res: Response, err: errors.SessionNotFound): Promise<void> {
    const app = await returnLinkOf(formValue(req.body, 'client_id'));
    const reason = `the bank no longer holds this sign-in (${err.error_description ?? err.message})`;
    deps.log?.(
      `bank-op ${refusalLogLine(req, 400, { error: 'invalid_request', error_description: `sign-in expired: ${reason}` })}`,
    );
    send(res, 400, expiredSignInPage({ bankName, reason, ...(app ? { app } : {}) }));
  }

  const handle =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction) => {
      fn(req, res)
        .catch((err: unknown) => {
          // The interaction expired (or this browser lost its cookie): not the app's fault.
          if (err instanceof errors.SessionNotFound) return renderExpired(req, res, err);
          throw err;
        })
        .catch(next);
    };

  router.get(
    '/interaction/:uid',
    handle(async (req, res) => {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        const signIn = await signInFor(req, res, details);
        if (!signIn) return;
        noteSignInPage(res, signIn.payment);
        await renderLogin(res, details, signIn);
        return;
      }
      const consent = await consentOrRefuse(req, res, details);
      if (!consent) return;
      noteConsentPage(res, consent);
      await renderConsent(res, details, consent);
    }),
  );

  router.post(
    '/interaction/:uid/login',
    form,
    handle(async (req, res) => {
      const details = await provider.interactionDetails(req, res);
      assertCsrf(req, res, details.uid);
      if (formValue(req.body, 'action') === 'cancel') {
        noteSignIn(res, 'cancelled', undefined);
        rejectNamedConsent(details);
        await refuse(req, res, 'access_denied', 'The customer cancelled the sign-in');
        return;
      }
      const signIn = await signInFor(req, res, details);
      if (!signIn) return;
      const username = formValue(req.body, 'username') ?? '';
      const customer = bank.customers.authenticate(username, formValue(req.body, 'password') ?? '');
      // RTS Art. 5(1)(b): a payment's code is valid for this interaction, amount and payee only.
      const passcodeOk = passcodes.matches(formValue(req.body, 'otp') ?? '', details.uid, signIn.payment);
      if (!customer || !passcodeOk) {
        noteSignIn(res, 'refused', signIn.payment);
        await renderLogin(
          res,
          details,
          signIn,
          401,
          'The username, password or passcode is not right. Check them and try again.',
          username,
        );
        return;
      }
      // PSD2 RTS Art. 4: knowledge (password) and possession (the passcode on the customer's phone).
      noteSignIn(res, { customerId: customer.customerId }, signIn.payment);
      await finish(
        req,
        res,
        { login: { accountId: customer.customerId, acr: SCA_ACR, amr: ['pwd', 'otp'], remember: false } },
        false,
      );
    }),
  );

  /** The customer cancelled or denied: the consent the request names is rejected, if it is this client's. */
  function rejectNamedConsent(details: Details): void {
    try {
      const consent = consentForAuthorization(bank, {
        clientId: String(details.params.client_id),
        scope: details.params.scope as string | undefined,
        claims: details.params.claims,
      });
      if (consent) bank.consents.reject(consent.consentId);
    } catch (err) {
      if (!(err instanceof IntentError || err instanceof BankDomainError)) throw err;
    }
  }

  router.post(
    '/interaction/:uid/consent',
    form,
    handle(async (req, res) => {
      const details = await provider.interactionDetails(req, res);
      assertCsrf(req, res, details.uid);
      if (details.prompt.name !== 'consent' || !details.session?.accountId) {
        throw new OAuthError({
          status: 400,
          error: 'invalid_request',
          description: 'This sign-in is not waiting for a consent decision',
          fix: 'start again from the app',
        });
      }
      const consent = await consentOrRefuse(req, res, details);
      if (!consent) return;

      if (formValue(req.body, 'decision') !== 'allow') {
        noteDecision(res, consent, 'denied');
        bank.consents.reject(consent.consentId);
        await refuse(req, res, 'access_denied', 'The customer denied the request');
        return;
      }

      const accountIds = formValues(req.body, 'accounts');
      const customerId = String(details.session.accountId);
      try {
        bank.consents.authorise(consent.consentId, { customerId, accountIds });
      } catch (err) {
        if (err instanceof BankDomainError) {
          const problem = accountIds.length === 0 ? 'Choose at least one account.' : err.message;
          noteDecision(res, consent, { invalid: problem });
          await renderConsent(res, details, consent, 400, problem);
          return;
        }
        throw err;
      }
      noteDecision(res, consent, { authorisedFor: accountIds, customerId });

      // The grant covers exactly what the request asked for and the customer authorised.
      const grant = new provider.Grant({ accountId: customerId, clientId: String(details.params.client_id) });
      const missing = details.prompt.details as {
        missingOIDCScope?: string[];
        missingOIDCClaims?: string[];
        missingResourceScopes?: Record<string, string[]>;
      };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      const grantId = await grant.save();
      await finish(req, res, { consent: { grantId } }, true);
    }),
  );

  return router;
}
