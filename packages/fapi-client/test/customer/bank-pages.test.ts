// Reading the bank's pages as a browser does: markup that means the same to a browser (attributes in any
// order or case, entities, inline markup, comments) means the same to the scripted customer. Against the
// bank's real pages, apps/bank-op/test/customer-browser.test.ts holds the markup contract.
import { describe, expect, it } from 'vitest';
import {
  type BankPage,
  consentForm,
  describePage,
  hiddenInputs,
  isConsentPage,
  isSignInPage,
  pageError,
  signInForm,
} from '../../src/customer/bank-pages.js';

const page = (html: string, status = 200): BankPage => ({
  kind: 'page',
  url: new URL('https://bank.localhost:8443/interaction/u1'),
  status,
  html,
});

describe('the sign-in page', () => {
  const signIn = page(`<!doctype html><html><head><title>Sign in</title></head><body>
    <!-- an old form: <input type="hidden" name="csrf" value="stale"> -->
    <FORM action="/interaction/u1/login" METHOD="POST" novalidate>
      <input value="t&#x2D;1" name="csrf" type="hidden">
      <input type='hidden' name='client_id' value='client&amp;1'>
      <input type="text" id="username" name="username">
      <p>Your code is <strong data-testid="otp">
        123456
      </strong>.</p>
    </FORM>
    <input type="hidden" name="outside" value="not sent">
  </body></html>`);

  it('reads the form as a browser does: attributes in any order, case or quotes, entities decoded', () => {
    expect(isSignInPage(signIn)).toBe(true);
    expect(isConsentPage(signIn)).toBe(false);
    expect(signInForm(signIn)).toEqual({
      action: new URL('https://bank.localhost:8443/interaction/u1/login'),
      csrf: 't-1',
      passcode: '123456',
    });
  });

  it("sends the form's own hidden fields only: not one in a comment, not one outside the form", () => {
    expect(hiddenInputs(signIn)).toEqual({ csrf: 't-1', client_id: 'client&1' });
  });

  it('refuses a page whose passcode is not six digits', () => {
    const noCode = page(signIn.html.replace('123456', 'soon'));
    expect(() => signInForm(noCode)).toThrow(/no one-time passcode on the page at /);
  });
});

describe('the consent page', () => {
  const consent = (type: 'checkbox' | 'radio') =>
    page(`<title>Share account information</title>
    <form action="/interaction/u1/confirm" method="post">
      <input type="hidden" name="csrf" value="t2">
      <div class="account"><input id="a0" type="${type}" name="accounts" value="acc-1"></div>
      <div class="account"><input value="acc-2" name="accounts" id="a1" type="${type}"></div>
      <button type="submit" value="allow" name="decision">Allow</button>
    </form>`);

  it('lists the accounts offered, whatever the order of their attributes', () => {
    expect(isConsentPage(consent('checkbox'))).toBe(true);
    expect(isSignInPage(consent('checkbox'))).toBe(false);
    expect(consentForm(consent('checkbox'))).toEqual({
      action: new URL('https://bank.localhost:8443/interaction/u1/confirm'),
      csrf: 't2',
      accounts: ['acc-1', 'acc-2'],
      payment: false,
    });
  });

  it('knows a payment by its radio buttons', () => {
    expect(consentForm(consent('radio')).payment).toBe(true);
  });

  it('says which page it got when it expected another', () => {
    expect(() => signInForm(consent('radio'))).toThrow(
      "expected the bank's sign-in page, got the page at https://bank.localhost:8443/interaction/u1 (200): Share account information",
    );
  });
});

describe('what a page says went wrong', () => {
  it('gives the error page text unescaped, and nothing for a page without an error', () => {
    const error = page(
      '<code data-testid="error">invalid_request</code>: <span data-testid="error_description">the client&#39;s &lt;request&gt; &amp; &quot;more&quot; &rsquo;</span>',
      400,
    );
    expect(pageError(error)).toBe(`invalid_request: the client's <request> & "more" ’`);
    expect(pageError(page('<title>Sign in – Bank</title><h1>Sign in</h1>'))).toBeUndefined();
    expect(describePage(page('<title>Sign in – Bank</title>'))).toBe(
      'the page at https://bank.localhost:8443/interaction/u1 (200): Sign in – Bank',
    );
  });

  it('reads the whole alert, inline markup and all', () => {
    const again = page(
      '<div class="error" role="alert">Choose <strong>at least one</strong> account.</div>',
      400,
    );
    expect(pageError(again)).toBe('Choose at least one account.');
  });

  it('describes a page without a title or an error by the start of its text', () => {
    expect(describePage(page('<p>Bad gateway</p>', 502))).toBe(
      'the page at https://bank.localhost:8443/interaction/u1 (502): Bad gateway',
    );
  });
});
