// What the learner does at the bank, done with HTTP: follow the redirect to the bank, sign in with a demo
// customer (the login page shows the one-time passcode), approve or deny the consent, and follow the
// redirect back to Moneywise's callback. A real browser does the same in the e2e scenarios.
import type { Browser, BrowserResponse } from './harness.js';

export interface BankVisit {
  /** The page the TPP finally sent the browser to (e.g. /connections/<id>). */
  landing: URL;
  /** The callback URL the bank redirected to (with code/state/iss or response). */
  callback: URL;
}

function attribute(html: string, pattern: RegExp, what: string): string {
  const found = pattern.exec(html);
  if (!found?.[1]) throw new Error(`the bank's page has no ${what}:\n${html.slice(0, 2000)}`);
  return found[1].replace(/&amp;/g, '&');
}

/** Follows redirects until a page answers 200 (or the browser is sent back to the TPP's callback). */
async function follow(
  browser: Browser,
  start: BrowserResponse,
  from: string,
  tppOrigin: string,
): Promise<{ page: BrowserResponse; url: string } | { callback: URL }> {
  let response = start;
  let url = from;
  for (let hops = 0; hops < 10; hops++) {
    if (response.status < 300 || response.status >= 400) return { page: response, url };
    const next = new URL(response.headers.get('location')!, url);
    if (next.origin === tppOrigin && next.pathname === '/callback') return { callback: next };
    url = next.toString();
    response = await browser.request(url);
  }
  throw new Error('too many redirects at the bank');
}

export async function visitBank(
  browser: Browser,
  authorizationUrl: string,
  options: {
    username: string;
    password: string;
    decision?: 'allow' | 'deny';
    tamperCallback?: (callback: URL) => URL;
  },
): Promise<BankVisit> {
  const tppOrigin = browser.config.tpp.web.origin;
  let step = await follow(browser, await browser.request(authorizationUrl), authorizationUrl, tppOrigin);
  if ('callback' in step)
    throw new Error(`the bank answered the authorization request at once: ${step.callback}`);
  if (step.page.status !== 200)
    throw new Error(
      `the bank's authorization endpoint answered ${step.page.status}: ${step.page.text.slice(0, 500)}`,
    );

  // The bank remembers a customer who signed in a moment ago: then it goes straight to the consent page.
  if (/name="username"/.test(step.page.text)) {
    const login = step.page.text;
    const loginAction = new URL(
      attribute(login, /<form method="post" action="([^"]+)"/, 'login form'),
      step.url,
    ).toString();
    const submitted = await browser.request(loginAction, {
      form: {
        csrf: attribute(login, /name="csrf" value="([^"]+)"/, 'csrf token'),
        username: options.username,
        password: options.password,
        otp: attribute(login, /data-testid="otp">(\d{6})</, 'one-time passcode'),
        action: 'login',
      },
    });
    step = await follow(browser, submitted, loginAction, tppOrigin);
    if ('callback' in step)
      throw new Error(`the bank redirected back without a consent page: ${step.callback}`);
  }

  const consent = step.page.text;
  const consentAction = new URL(
    attribute(consent, /<form method="post" action="([^"]+)"/, 'consent form'),
    step.url,
  ).toString();
  const form = new URLSearchParams({
    csrf: attribute(consent, /name="csrf" value="([^"]+)"/, 'csrf token'),
    decision: options.decision ?? 'allow',
  });
  const accounts = [...consent.matchAll(/name="accounts" value="([^"]+)"/g)].map((m) => m[1]!);
  const isPayment = /type="radio"[^>]*name="accounts"/.test(consent);
  for (const account of isPayment ? accounts.slice(0, 1) : accounts) form.append('accounts', account);
  const decided = await browser.request(consentAction, { form });
  const back = await follow(browser, decided, consentAction, tppOrigin);
  if (!('callback' in back))
    throw new Error(
      `the bank did not redirect back to Moneywise: ${back.page.status} ${back.page.text.slice(0, 500)}`,
    );

  const callback = options.tamperCallback ? options.tamperCallback(back.callback) : back.callback;
  const landed = await browser.request(callback.toString());
  if (landed.status !== 303)
    throw new Error(`the callback answered ${landed.status}: ${landed.text.slice(0, 500)}`);
  return { landing: new URL(landed.headers.get('location')!, tppOrigin), callback };
}
