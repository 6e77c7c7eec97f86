// The customer's part of an authorization, without a browser: a small HTTP user agent that keeps the
// bank's cookies, follows the bank's redirects, and fills in the bank's sign-in and consent forms the way
// a person would. It stops when the bank redirects to anything outside its own host: that is the
// authorization response on its way to the TPP's redirect_uri.
import { type Dispatcher, fetch } from 'undici';

/** A page of the bank's, as the customer sees it. */
export interface BankPage {
  url: URL;
  status: number;
  html: string;
}

export interface Customer {
  username: string;
  password: string;
}

export class CustomerBrowser {
  readonly #cookies = new Map<string, string>();

  constructor(
    /** Trusts the sandbox CA; presents no client certificate (a browser never does here). */
    private readonly dispatcher: Dispatcher,
    /** The bank's host (bank.localhost:port): redirects there are followed, others end the journey. */
    private readonly bankHost: string,
  ) {}

  /**
   * Opens the authorization URL, signs in (username, password and the one-time passcode the demo bank
   * shows on the page) and allows the consent for every account offered. Returns the URL the bank
   * sent the customer back to: the TPP's redirect_uri with the authorization response.
   */
  async authorize(authorizationUrl: URL, customer: Customer): Promise<URL> {
    const signIn = await this.#expectPage(await this.#go(authorizationUrl), 'the sign-in page');
    const consent = await this.#expectPage(
      await this.#submit(formAction(signIn), {
        csrf: hiddenInput(signIn, 'csrf'),
        username: customer.username,
        password: customer.password,
        otp: passcode(signIn),
        action: 'login',
      }),
      'the consent page',
    );
    const landing = await this.#submit(formAction(consent), {
      csrf: hiddenInput(consent, 'csrf'),
      decision: 'allow',
      accounts: offeredAccounts(consent),
    });
    if (!(landing instanceof URL)) {
      throw new Error(`the bank did not send the customer back after consent: ${describe(landing)}`);
    }
    return landing;
  }

  async #expectPage(result: BankPage | URL, what: string): Promise<BankPage> {
    if (result instanceof URL) throw new Error(`expected ${what}, the bank redirected to ${result.href}`);
    if (result.status !== 200) throw new Error(`expected ${what}, got ${describe(result)}`);
    return result;
  }

  #go(url: URL): Promise<BankPage | URL> {
    return this.#follow(url, { method: 'GET' });
  }

  #submit(action: URL, fields: Record<string, string | string[]>): Promise<BankPage | URL> {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) {
      for (const item of Array.isArray(value) ? value : [value]) form.append(name, item);
    }
    return this.#follow(action, { method: 'POST', form });
  }

  /** One request, then redirects on the bank's host until a page or a redirect elsewhere. */
  async #follow(start: URL, first: { method: string; form?: URLSearchParams }): Promise<BankPage | URL> {
    let url = start;
    let request = first;
    for (let hop = 0; hop < 10; hop++) {
      const response = await this.#request(url, request);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) {
        return { url, status: response.status, html: await response.text() };
      }
      await response.body?.cancel();
      url = new URL(location, url);
      if (url.host !== this.bankHost) return url;
      request = { method: 'GET' };
    }
    throw new Error(`more than 10 redirects from ${start.href}`);
  }

  async #request(url: URL, init: { method: string; form?: URLSearchParams }) {
    const headers: Record<string, string> = { accept: 'text/html' };
    if (this.#cookies.size > 0) {
      headers.cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    }
    if (init.form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, {
      method: init.method,
      headers,
      redirect: 'manual',
      dispatcher: this.dispatcher,
      ...(init.form ? { body: init.form.toString() } : {}),
    });
    for (const line of response.headers.getSetCookie()) this.#remember(line);
    return response;
  }

  #remember(setCookie: string): void {
    const [pair = ''] = setCookie.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = /;\s*max-age=0\s*(;|$)/i.test(setCookie);
    if (expired || value === '') this.#cookies.delete(name);
    else this.#cookies.set(name, value);
  }
}

function formAction(page: BankPage): URL {
  const match = /<form method="post" action="([^"]+)"/.exec(page.html);
  if (!match) throw new Error(`no form on ${page.url.href}`);
  return new URL(match[1]!.replace(/&amp;/g, '&'), page.url);
}

function hiddenInput(page: BankPage, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(page.html);
  if (!match) throw new Error(`no ${name} field on ${page.url.href}`);
  return match[1]!;
}

/** The demo bank shows the passcode it "sent to the phone" on the sign-in page itself. */
function passcode(page: BankPage): string {
  const match = /data-testid="otp">(\d{6})</.exec(page.html);
  if (!match) throw new Error(`no one-time passcode on ${page.url.href}`);
  return match[1]!;
}

function offeredAccounts(page: BankPage): string[] {
  const accounts = [...page.html.matchAll(/name="accounts" value="([^"]+)"/g)].map((m) => m[1]!);
  if (accounts.length === 0) throw new Error(`the consent page offers no accounts: ${page.url.href}`);
  return accounts;
}

function describe(page: BankPage): string {
  const alert = /data-testid="error_description">([^<]*)</.exec(page.html)?.[1];
  return `${page.status} at ${page.url.href}${alert ? `: ${alert}` : ''}`;
}
