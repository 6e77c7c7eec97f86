// The customer at the bank, over HTTP: a small browser that keeps the bank's cookies, follows the bank's
// redirects, and fills in the bank's sign-in and consent pages the way a person would (the demo bank shows
// the one-time passcode on the sign-in page). It stops when the bank sends the customer anywhere else:
// that redirect is the authorization response on its way to the client's redirect_uri, and what the
// client does with it is the caller's business. A real browser (Playwright) drives the same pages in e2e.
//
//   const browser = new CustomerBrowser({ dispatcher, bank: config.bankOp.issuer });
//   const back = redirectOf(await browser.authorize(authorizationUrl, { username, password }));
//   back.params.get('code'); back.params.get('state'); back.params.get('iss')  // or 'response' (JARM)
//
// Step by step, for tests that bend one thing: open() → signIn() or cancel() → allow() or deny() (or
// selectAll(), signOut()), and submit() for a form posted by hand. answerOnBankApp() is the customer on the
// bank's app, the authentication device of decoupled authentication (CIBA).
import { type Dispatcher, fetch } from 'undici';
import {
  type BankAppRequest,
  type BankPage,
  bankAppRequests,
  bankAppSignInForm,
  consentForm,
  describePage,
  hiddenInputs,
  isConsentPage,
  isSignInPage,
  signInForm,
  signOutForm,
} from './bank-pages.js';
import { type CookieJar, cookieHeader, keepCookies } from './cookie-jar.js';

export type { BankPage, ConsentForm, SignInForm } from './bank-pages.js';
export {
  type BankAppRequest,
  bankAppRequests,
  consentForm,
  describePage,
  hiddenInputs,
  isConsentPage,
  isSignInPage,
  pageError,
  signInForm,
  signOutForm,
} from './bank-pages.js';
export { type CookieJar, cookieHeader, keepCookies } from './cookie-jar.js';

/** The bank sent the browser away from its own host: to the client, with the authorization response. */
export interface Redirect {
  kind: 'redirect';
  url: URL;
  /**
   * The authorization response parameters: from the fragment when there is one (the hybrid flow's
   * response_mode=fragment), else from the query (code, state, iss; or JARM's single `response`).
   */
  params: URLSearchParams;
}

/** Where a step ends: on a page of the bank's, or redirected away from the bank. */
export type Visit = BankPage | Redirect;

/** A demo customer's credentials (the sign-in page lists them). */
export interface Customer {
  username: string;
  password: string;
}

/**
 * Which accounts the customer ticks: every one offered, the first, or these. A payment's accounts are
 * radio buttons, so 'all' there sends the first (a browser cannot send two values of one radio group).
 */
export type AccountChoice = 'all' | 'first' | readonly string[];

export interface CustomerBrowserOptions {
  /** Trusts the sandbox CA and presents no client certificate (a customer's browser never does here). */
  dispatcher: Dispatcher;
  /** The bank's origin (its issuer): redirects there are followed, a redirect anywhere else ends a visit. */
  bank: string | URL;
  /** The browser's cookie jar, when another user agent plays the same browser (e.g. on the TPP's pages). */
  cookies?: CookieJar;
}

const MAX_REDIRECTS = 20;

export class CustomerBrowser {
  readonly #dispatcher: Dispatcher;
  readonly #bankHost: string;
  readonly #cookies: CookieJar;

  constructor(options: CustomerBrowserOptions) {
    this.#dispatcher = options.dispatcher;
    this.#bankHost = new URL(options.bank).host;
    this.#cookies = options.cookies ?? new Map();
  }

  /**
   * The whole journey: opens the authorization URL, signs in if the bank asks (a customer with a session
   * goes straight to the consent page, except for a payment: PSD2 RTS Art. 4), then allows the consent
   * for `accounts` (default: all offered) or denies it. Returns the redirect back to the client, or the
   * page the journey stopped on (an error page, or a sign-in or consent page shown again with an error).
   */
  async authorize(
    url: string | URL,
    customer: Customer,
    choices: { decision?: 'allow' | 'deny'; accounts?: AccountChoice } = {},
  ): Promise<Visit> {
    let visit = await this.open(url);
    if (visit.kind === 'page' && isSignInPage(visit)) visit = await this.signIn(visit, customer);
    if (visit.kind === 'page' && isConsentPage(visit)) {
      visit =
        choices.decision === 'deny' ? await this.deny(visit) : await this.allow(visit, choices.accounts);
    }
    return visit;
  }

  /** GET, then the bank's redirects: its page, or the redirect away from it. */
  open(url: string | URL): Promise<Visit> {
    return this.#visit(new URL(url), 'GET');
  }

  /**
   * Posts the sign-in form with the customer's password and the passcode the page shows. `tamper`
   * replaces what the page says, for tests of what the bank refuses (a forged CSRF token, a wrong code).
   */
  signIn(
    page: BankPage,
    customer: Customer,
    tamper: { csrf?: string; passcode?: string } = {},
  ): Promise<Visit> {
    const form = signInForm(page);
    return this.submit(form.action, {
      ...hiddenInputs(page),
      csrf: tamper.csrf ?? form.csrf,
      username: customer.username,
      password: customer.password,
      otp: tamper.passcode ?? form.passcode,
      action: 'login',
    });
  }

  /** The sign-in page's Cancel button. */
  cancel(page: BankPage): Promise<Visit> {
    const form = signInForm(page);
    return this.submit(form.action, { ...hiddenInputs(page), csrf: form.csrf, action: 'cancel' });
  }

  /** The consent page's Allow (or Confirm payment) button, with the chosen accounts ticked. */
  allow(page: BankPage, accounts: AccountChoice = 'all'): Promise<Visit> {
    const form = consentForm(page);
    const chosen =
      accounts === 'first' || (accounts === 'all' && form.payment)
        ? form.accounts.slice(0, 1)
        : accounts === 'all'
          ? form.accounts
          : accounts;
    return this.submit(form.action, {
      ...hiddenInputs(page),
      csrf: form.csrf,
      decision: 'allow',
      accounts: chosen,
    });
  }

  /** The consent page's Deny button. */
  deny(page: BankPage): Promise<Visit> {
    const form = consentForm(page);
    return this.submit(form.action, { ...hiddenInputs(page), csrf: form.csrf, decision: 'deny' });
  }

  /** The consent page's "Select all accounts" button: the page again, every account ticked. */
  selectAll(page: BankPage): Promise<Visit> {
    const form = consentForm(page);
    return this.submit(form.action, { ...hiddenInputs(page), csrf: form.csrf, decision: 'select-all' });
  }

  /**
   * The bank app (CIBA §8): opens it, signs in if asked, finds the request showing `bindingMessage` and
   * approves it for `accounts` (default: the first) or denies it. Returns the app's page after the answer;
   * throws when no request shows that binding message.
   */
  async answerOnBankApp(
    appUrl: string | URL,
    customer: Customer,
    answer: { bindingMessage: string; decision?: 'approve' | 'deny'; accounts?: AccountChoice },
  ): Promise<BankPage> {
    let visit = await this.open(appUrl);
    if (visit.kind === 'page' && isSignInPage(visit)) {
      const form = bankAppSignInForm(visit);
      visit = await this.submit(form.action, {
        ...form.fields,
        username: customer.username,
        password: customer.password,
      });
    }
    const page = pageOf(visit);
    const request = bankAppRequests(page).find(
      (r: BankAppRequest) => r.bindingMessage === answer.bindingMessage,
    );
    if (!request) throw new Error(`no request showing "${answer.bindingMessage}" on ${describePage(page)}`);
    const accounts = answer.accounts ?? 'first';
    const chosen =
      accounts === 'first' ? request.accounts.slice(0, 1) : accounts === 'all' ? request.accounts : accounts;
    return pageOf(
      await this.submit(request.action, {
        csrf: request.csrf,
        decision: answer.decision ?? 'approve',
        ...(answer.decision === 'deny' ? {} : { accounts: chosen }),
      }),
    );
  }

  /** "Not Alice? Sign out": the sign-in page of the same interaction, for another customer. */
  signOut(page: BankPage, from: { origin?: string } = {}): Promise<Visit> {
    const form = signOutForm(page);
    if (!form) throw new Error(`no sign-out button on ${describeVisit(page)}`);
    return this.submit(form.action, { csrf: form.csrf }, from.origin);
  }

  /**
   * Posts a form (a field given a list is sent once per value, as ticked checkboxes are) from a page of
   * `origin` (default: the form's own origin, as when the bank's page posts its own form).
   */
  submit(
    action: string | URL,
    fields: Record<string, string | readonly string[]>,
    origin?: string,
  ): Promise<Visit> {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) {
      for (const item of typeof value === 'string' ? [value] : value) form.append(name, item);
    }
    const url = new URL(action);
    return this.#visit(url, 'POST', { body: form, origin: origin ?? url.origin });
  }

  /** One request, then GETs along the bank's redirects until a page, or a redirect off the bank's host. */
  async #visit(start: URL, method: string, form?: { body: URLSearchParams; origin: string }): Promise<Visit> {
    let url = start;
    let response = await this.#request(url, method, form);
    for (let redirects = 0; ; redirects++) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) {
        return { kind: 'page', url, status: response.status, html: await response.text() };
      }
      await response.body?.cancel();
      url = new URL(location, url);
      if (url.host !== this.#bankHost) {
        return {
          kind: 'redirect',
          url,
          params: new URLSearchParams(url.hash ? url.hash.slice(1) : url.search),
        };
      }
      if (redirects === MAX_REDIRECTS)
        throw new Error(`more than ${MAX_REDIRECTS} redirects from ${start.href}`);
      response = await this.#request(url, 'GET');
    }
  }

  async #request(url: URL, method: string, form?: { body: URLSearchParams; origin: string }) {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = cookieHeader(this.#cookies, url);
    if (cookie) headers.cookie = cookie;
    // A browser names the page a form was posted from (RFC 6454 §7); the bank's sign-out checks it.
    if (form)
      Object.assign(headers, { 'content-type': 'application/x-www-form-urlencoded', origin: form.origin });
    const response = await fetch(url, {
      method,
      headers,
      redirect: 'manual',
      dispatcher: this.#dispatcher,
      ...(form ? { body: form.body.toString() } : {}),
    });
    keepCookies(this.#cookies, url, response.headers.getSetCookie());
    return response;
  }
}

/** One line for error messages about where a visit ended. */
export function describeVisit(visit: Visit): string {
  return visit.kind === 'redirect' ? `a redirect to ${visit.url.href}` : describePage(visit);
}

/** The redirect the visit ended with; throws, saying what the bank showed, if it ended on a page. */
export function redirectOf(visit: Visit): Redirect {
  if (visit.kind !== 'redirect')
    throw new Error(`the bank did not send the customer back: ${describeVisit(visit)}`);
  return visit;
}

/** The page the visit ended on; throws if the bank redirected the customer away instead. */
export function pageOf(visit: Visit): BankPage {
  if (visit.kind !== 'page') throw new Error(`expected a page of the bank's, got ${describeVisit(visit)}`);
  return visit;
}
