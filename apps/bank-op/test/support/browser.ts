// A stand-in for the customer's browser: keeps the bank's cookies, follows redirects within the bank,
// and stops when the bank sends it back to the TPP (the redirect URI is not served in these tests).
// A real browser (Playwright) drives the same pages in e2e.
import { type Agent, fetch } from 'undici';

export interface Page {
  url: string;
  status: number;
  html: string;
}

export interface Landing {
  /** The URL the bank redirected the browser to, outside the bank (the TPP's redirect_uri). */
  url: URL;
}

export class Browser {
  readonly #cookies = new Map<string, Map<string, string>>();

  constructor(
    private readonly agent: Agent,
    /** Hosts the browser follows redirects on; anything else is where the flow lands. */
    private readonly bankHosts: string[],
  ) {}

  #cookieHeader(url: URL): string | undefined {
    const jar = this.#cookies.get(url.host);
    if (!jar || jar.size === 0) return undefined;
    return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  #store(url: URL, setCookies: string[]): void {
    const jar = this.#cookies.get(url.host) ?? new Map<string, string>();
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a),
      );
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
    this.#cookies.set(url.host, jar);
  }

  async #request(url: URL, init: { method: string; body?: string; contentType?: string }) {
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = this.#cookieHeader(url);
    if (cookie) headers.cookie = cookie;
    if (init.contentType) headers['content-type'] = init.contentType;
    const response = await fetch(url, {
      method: init.method,
      headers,
      body: init.body,
      redirect: 'manual',
      dispatcher: this.agent,
    });
    this.#store(url, response.headers.getSetCookie());
    return response;
  }

  /** Follows redirects from a response until a page of the bank or a landing outside it. */
  async #follow(url: URL, response: Awaited<ReturnType<typeof fetch>>): Promise<Page | Landing> {
    let current = url;
    let res = response;
    for (let hops = 0; hops < 20; hops++) {
      if (res.status < 300 || res.status >= 400) {
        return { url: current.href, status: res.status, html: await res.text() };
      }
      await res.body?.cancel();
      const next = new URL(res.headers.get('location') ?? '', current);
      if (!this.bankHosts.includes(next.host)) return { url: next };
      current = next;
      res = await this.#request(current, { method: 'GET' });
    }
    throw new Error('too many redirects');
  }

  async open(url: string | URL): Promise<Page | Landing> {
    const target = new URL(url);
    return this.#follow(target, await this.#request(target, { method: 'GET' }));
  }

  async submit(action: string | URL, fields: Record<string, string | string[]>): Promise<Page | Landing> {
    const target = new URL(action);
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(fields)) {
      for (const item of Array.isArray(value) ? value : [value]) body.append(name, item);
    }
    return this.#follow(
      target,
      await this.#request(target, {
        method: 'POST',
        body: body.toString(),
        contentType: 'application/x-www-form-urlencoded',
      }),
    );
  }
}

export function isPage(result: Page | Landing): result is Page {
  return 'html' in result;
}

/** The value of a hidden input or another attribute-extractable bit of a page. */
export function inputValue(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no input ${name} on the page`);
  return match[1]!;
}

export function formAction(html: string, base: string): URL {
  const match = /<form method="post" action="([^"]+)"/.exec(html);
  if (!match) throw new Error('no form on the page');
  return new URL(match[1]!.replace(/&amp;/g, '&'), base);
}

export function passcodeOn(html: string): string {
  const match = /data-testid="otp">(\d{6})</.exec(html);
  if (!match) throw new Error('no passcode on the page');
  return match[1]!;
}

export function accountIdsOn(html: string): string[] {
  return [...html.matchAll(/name="accounts" value="([^"]+)"/g)].map((m) => m[1]!);
}

/** The error an error page shows (code and description), or the start of the page. */
export function errorOn(html: string): string {
  const error = /data-testid="error">([^<]*)</.exec(html)?.[1];
  const description = /data-testid="error_description">([^<]*)</.exec(html)?.[1];
  const alert = /role="alert">([^<]*)</.exec(html)?.[1];
  return error ? `${error}: ${description}` : (alert ?? html.slice(0, 300));
}
