// Reading the bank's own pages the way a customer does: what the sign-in page asks for (and the passcode
// the simulated phone on it shows), which accounts the consent page offers, and what an error page says.
// The markup read here is written in ../interactions (login-page.ts, consent-page.ts, error-page.ts);
// a change there is a change here, which is why this lives in bank-op.

/** A page of the bank's, as the browser received it. */
export interface BankPage {
  kind: 'page';
  url: URL;
  status: number;
  html: string;
}

/** The sign-in form: where it posts, its CSRF token, and the passcode "sent to the customer's phone". */
export interface SignInForm {
  action: URL;
  csrf: string;
  passcode: string;
}

/** The consent form: where it posts, its CSRF token, and the accounts the customer may choose from. */
export interface ConsentForm {
  action: URL;
  csrf: string;
  accounts: string[];
  /** A payment is paid from one account: the accounts are radio buttons, not checkboxes. */
  payment: boolean;
}

/** The text of an HTML-escaped value (fapi-core's `html` escapes these five characters). */
function htmlText(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function find(page: BankPage, pattern: RegExp, what: string): string {
  const value = pattern.exec(page.html)?.[1];
  if (value === undefined) throw new Error(`no ${what} on ${describePage(page)}`);
  return htmlText(value);
}

function formAction(page: BankPage): URL {
  return new URL(find(page, /<form method="post" action="([^"]+)"/, 'form'), page.url);
}

function hiddenInput(page: BankPage, name: string): string {
  return find(page, new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`), `${name} field`);
}

/** Every hidden field of the page's form: a browser sends them all with the form. */
export function hiddenInputs(page: BankPage): Record<string, string> {
  return Object.fromEntries(
    [...page.html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [
      m[1]!,
      htmlText(m[2]!),
    ]),
  );
}

export function isSignInPage(page: BankPage): boolean {
  return /<input [^>]*name="username"/.test(page.html);
}

export function isConsentPage(page: BankPage): boolean {
  return /<button [^>]*name="decision"/.test(page.html);
}

export function signInForm(page: BankPage): SignInForm {
  if (!isSignInPage(page)) throw new Error(`expected the bank's sign-in page, got ${describePage(page)}`);
  return {
    action: formAction(page),
    csrf: hiddenInput(page, 'csrf'),
    // The demo bank shows the one-time passcode it "sent to the phone" on the page itself.
    passcode: find(page, /data-testid="otp">(\d{6})</, 'one-time passcode'),
  };
}

export function consentForm(page: BankPage): ConsentForm {
  if (!isConsentPage(page)) throw new Error(`expected the bank's consent page, got ${describePage(page)}`);
  return {
    action: formAction(page),
    csrf: hiddenInput(page, 'csrf'),
    accounts: [...page.html.matchAll(/name="accounts" value="([^"]+)"/g)].map((m) => htmlText(m[1]!)),
    payment: /<input type="radio"[^>]*name="accounts"/.test(page.html),
  };
}

/**
 * What went wrong, as the page tells the customer: the OAuth error and its description on the error
 * page ("invalid_request_uri: …"), or the alert on a sign-in or consent page shown again.
 */
export function pageError(page: BankPage): string | undefined {
  const error = /data-testid="error">([^<]*)</.exec(page.html)?.[1];
  if (error !== undefined) {
    const description = /data-testid="error_description">([^<]*)</.exec(page.html)?.[1] ?? '';
    return htmlText(`${error}: ${description}`);
  }
  const alert = /role="alert">([^<]*)</.exec(page.html)?.[1];
  return alert === undefined ? undefined : htmlText(alert);
}

/** One line for error messages: status, address and what the page says went wrong (or its title). */
export function describePage(page: BankPage): string {
  const title = /<title>([^<]*)<\/title>/.exec(page.html)?.[1];
  const says = pageError(page) ?? (title === undefined ? page.html.slice(0, 200) : htmlText(title));
  return `the page at ${page.url.href} (${page.status}): ${says}`;
}
