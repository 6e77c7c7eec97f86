// What the learner does at the bank, done with HTTP: follow the redirect to the bank, sign in with a demo
// customer (the login page shows the one-time passcode), approve or deny the consent, and follow the
// redirect back to Moneywise's callback. bank-op's customer browser drives the bank's pages, sharing the
// test browser's cookie jar, so it is one browser: the bank remembers a customer who signed in a moment
// ago, and the callback carries Moneywise's session cookie. A real browser does the same in e2e.
import { CustomerBrowser, redirectOf } from '@fapi-sandbox/fapi-client/customer';
import type { Browser } from './harness.js';

export interface BankVisit {
  /** The page the TPP finally sent the browser to (e.g. /connections/<id>). */
  landing: URL;
  /** The callback URL the bank redirected to (with code/state/iss or response). */
  callback: URL;
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
  const atTheBank = new CustomerBrowser({
    dispatcher: browser.agent,
    bank: browser.config.bankOp.issuer,
    cookies: browser.cookies,
  });
  const back = redirectOf(
    await atTheBank.authorize(authorizationUrl, options, { decision: options.decision ?? 'allow' }),
  );
  if (back.url.origin !== tppOrigin || back.url.pathname !== '/callback')
    throw new Error(`the bank did not redirect back to Moneywise's callback: ${back.url.href}`);

  const callback = options.tamperCallback ? options.tamperCallback(back.url) : back.url;
  const landed = await browser.request(callback.toString());
  if (landed.status !== 303)
    throw new Error(`the callback answered ${landed.status}: ${landed.text.slice(0, 500)}`);
  return { landing: new URL(landed.headers.get('location')!, tppOrigin), callback };
}
