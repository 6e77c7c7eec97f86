// Reading the bank's own pages the way a customer's browser does: what the sign-in page asks for (and the
// passcode the simulated phone on it shows), which accounts the consent page offers, and what an error page
// says. The pages are parsed with parse5, the WHATWG HTML parser jsdom and cheerio use, so markup means here
// what it means to a browser: attributes in any order, entities decoded, comments ignored, a form's fields
// the ones inside it. The markup read here is written in bank-op's src/interactions (login-page.ts,
// consent-page.ts, error-page.ts); bank-op's test/customer-browser.test.ts proves its pages carry it.
import { type DefaultTreeAdapterTypes as Html, parse } from 'parse5';

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

const documents = new WeakMap<BankPage, Html.Document>();

/** The page's document tree, parsed once per page. */
function documentOf(page: BankPage): Html.Document {
  let document = documents.get(page);
  if (!document) {
    document = parse(page.html);
    documents.set(page, document);
  }
  return document;
}

/** Every element under `node`, in document order (comments and text are not elements). */
function* elementsUnder(node: Html.ParentNode): Generator<Html.Element> {
  for (const child of node.childNodes) {
    if ('tagName' in child) {
      yield child;
      yield* elementsUnder(child);
    }
  }
}

function elements(page: BankPage, matches: (element: Html.Element) => boolean): Html.Element[] {
  return [...elementsUnder(documentOf(page))].filter(matches);
}

/** An attribute's value (parse5 lower-cases attribute names and decodes entities in values). */
function attribute(element: Html.Element, name: string): string | undefined {
  return element.attrs.find((attr) => attr.name === name)?.value;
}

const withAttribute =
  (name: string, value: string) =>
  (element: Html.Element): boolean =>
    attribute(element, name) === value;

/** The text a person reads in an element: its text, inline markup and all, white space collapsed. */
function textOf(node: Html.ParentNode): string {
  const parts: string[] = [];
  const collect = (parent: Html.ParentNode): void => {
    for (const child of parent.childNodes) {
      if (child.nodeName === '#text') parts.push((child as Html.TextNode).value);
      else if ('tagName' in child && child.tagName !== 'script' && child.tagName !== 'style') collect(child);
    }
  };
  collect(node);
  return parts.join('').replace(/\s+/g, ' ').trim();
}

function textOfFirst(page: BankPage, matches: (element: Html.Element) => boolean): string | undefined {
  const [element] = elements(page, matches);
  return element && textOf(element);
}

/** The page's form that posts: its action, resolved against the page as a browser does, and its element. */
function postForm(page: BankPage): { element: Html.Element; action: URL } {
  const [form] = elements(
    page,
    (e) => e.tagName === 'form' && attribute(e, 'method')?.toLowerCase() === 'post',
  );
  if (!form) throw new Error(`no form on ${describePage(page)}`);
  return { element: form, action: new URL(attribute(form, 'action') ?? '', page.url) };
}

/** Every hidden field of the page's form: a browser sends them all with the form (and none outside it). */
export function hiddenInputs(page: BankPage): Record<string, string> {
  const fields = [...elementsUnder(postForm(page).element)].filter(
    (e) => e.tagName === 'input' && attribute(e, 'type')?.toLowerCase() === 'hidden' && attribute(e, 'name'),
  );
  return Object.fromEntries(fields.map((e) => [attribute(e, 'name')!, attribute(e, 'value') ?? '']));
}

function csrfToken(page: BankPage): string {
  const csrf = hiddenInputs(page).csrf;
  if (csrf === undefined) throw new Error(`no csrf field on ${describePage(page)}`);
  return csrf;
}

export function isSignInPage(page: BankPage): boolean {
  return elements(page, (e) => e.tagName === 'input' && attribute(e, 'name') === 'username').length > 0;
}

export function isConsentPage(page: BankPage): boolean {
  return elements(page, (e) => e.tagName === 'button' && attribute(e, 'name') === 'decision').length > 0;
}

export function signInForm(page: BankPage): SignInForm {
  if (!isSignInPage(page)) throw new Error(`expected the bank's sign-in page, got ${describePage(page)}`);
  // The demo bank shows the one-time passcode it "sent to the phone" on the page itself.
  const passcode = textOfFirst(page, withAttribute('data-testid', 'otp'));
  if (!passcode || !/^\d{6}$/.test(passcode))
    throw new Error(`no one-time passcode on ${describePage(page)}`);
  return { action: postForm(page).action, csrf: csrfToken(page), passcode };
}

export function consentForm(page: BankPage): ConsentForm {
  if (!isConsentPage(page)) throw new Error(`expected the bank's consent page, got ${describePage(page)}`);
  const choices = [...elementsUnder(postForm(page).element)].filter(
    (e) => e.tagName === 'input' && attribute(e, 'name') === 'accounts',
  );
  return {
    action: postForm(page).action,
    csrf: csrfToken(page),
    accounts: choices.map((e) => attribute(e, 'value') ?? ''),
    payment: choices.some((e) => attribute(e, 'type')?.toLowerCase() === 'radio'),
  };
}

/** A request the bank app lists (bank-op's interactions/bank-app-page.ts), as the customer answers it. */
export interface BankAppRequest {
  action: URL;
  csrf: string;
  /** CIBA §7.1: the text the TPP shows too, for the customer to compare. */
  bindingMessage: string;
  accounts: string[];
}

/** The bank app's sign-in form (no passcode: the app on the registered phone is the second factor). */
export function bankAppSignInForm(page: BankPage): { action: URL; fields: Record<string, string> } {
  if (!isSignInPage(page)) throw new Error(`expected the bank app's sign-in, got ${describePage(page)}`);
  return { action: postForm(page).action, fields: hiddenInputs(page) };
}

export function bankAppRequests(page: BankPage): BankAppRequest[] {
  return elements(page, withAttribute('data-testid', 'bank-app-request')).map((section) => {
    const inside = [...elementsUnder(section)];
    const form = inside.find((e) => e.tagName === 'form');
    if (!form) throw new Error(`a bank app request without a form on ${describePage(page)}`);
    const fields = [...elementsUnder(form)].filter((e) => e.tagName === 'input');
    const binding = inside.find(withAttribute('data-testid', 'binding-message'));
    return {
      action: new URL(attribute(form, 'action') ?? '', page.url),
      csrf: attribute(fields.find(withAttribute('name', 'csrf')) ?? form, 'value') ?? '',
      bindingMessage: binding ? textOf(binding) : '',
      accounts: fields.filter(withAttribute('name', 'accounts')).map((e) => attribute(e, 'value') ?? ''),
    };
  });
}

/** The "Not Alice? Sign out" form on a page where the customer is signed in (sign-out.ts), if any. */
export function signOutForm(page: BankPage): { action: URL; csrf: string; label: string } | undefined {
  const [form] = elements(
    page,
    (e) => e.tagName === 'form' && /\/sign-out$/.test(attribute(e, 'action') ?? ''),
  );
  if (!form) return undefined;
  const inside = [...elementsUnder(form)];
  const csrf = inside.find((e) => e.tagName === 'input' && attribute(e, 'name') === 'csrf');
  const button = inside.find((e) => e.tagName === 'button');
  return {
    action: new URL(attribute(form, 'action') ?? '', page.url),
    csrf: (csrf && attribute(csrf, 'value')) ?? '',
    label: button ? textOf(button) : '',
  };
}

/**
 * What went wrong, as the page tells the customer: the OAuth error and its description on the error
 * page ("invalid_request_uri: …"), or the alert on a sign-in or consent page shown again.
 */
export function pageError(page: BankPage): string | undefined {
  const error = textOfFirst(page, withAttribute('data-testid', 'error'));
  if (error !== undefined) {
    const description = textOfFirst(page, withAttribute('data-testid', 'error_description')) ?? '';
    return `${error}: ${description}`;
  }
  return textOfFirst(page, withAttribute('role', 'alert'));
}

/** One line for error messages: status, address and what the page says went wrong (or its title). */
export function describePage(page: BankPage): string {
  const says =
    pageError(page) ??
    textOfFirst(page, (e) => e.tagName === 'title') ??
    textOf(documentOf(page)).slice(0, 200);
  return `the page at ${page.url.href} (${page.status}): ${says}`;
}
