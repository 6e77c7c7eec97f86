// The "bank app": a page of the bank that stands for the customer's phone, the authentication device of
// decoupled authentication (CIBA §1, §8). The customer signs in to it, sees each request a TPP started
// for them (who asks, the binding message the TPP also shows, what the consent covers) and approves it
// for chosen accounts or denies it. Server-rendered, no scripts, the bank's own page shell.
import type { Account, Consent, DemoCredential } from '@fapi-sandbox/bank-domain';
import { html } from '@fapi-sandbox/fapi-core/html';
import { accountLabel, PERMISSION_WORDS } from './consent-page.js';
import { page } from './layout.js';
import { demoCustomers } from './login-page.js';

export const BANK_APP_PATH = '/bank-app';

export interface BankAppSignInInput {
  bankName: string;
  csrfToken: string;
  demoCredentials: DemoCredential[];
  username?: string;
  error?: string;
}

export function bankAppSignInPage(input: BankAppSignInInput): string {
  const errorId = 'bank-app-error';
  const body = html`<div class="card">
  <h1>${input.bankName} app</h1>
  <p class="lead">This page stands for the bank's app on your phone. Sign in to see the requests that apps have sent to your phone.</p>
  ${input.error ? html`<div class="error" id="${errorId}" role="alert">${input.error}</div>` : ''}
  <form method="post" action="${BANK_APP_PATH}/sign-in" novalidate>
    <input type="hidden" name="csrf" value="${input.csrfToken}">
    <label for="username">Username</label>
    <input type="text" id="username" name="username" autocomplete="username" required value="${input.username ?? ''}"${input.error ? html` aria-describedby="${errorId}"` : ''}>
    <label for="password">Password</label>
    <input type="password" id="password" name="password" autocomplete="current-password" required>
    <p class="hint">Your phone is the second factor: the app runs only on the device you registered.</p>
    <div class="actions"><button class="primary" type="submit">Sign in to the app</button></div>
  </form>
  ${demoCustomers(input.demoCredentials)}
</div>`;
  return page({ title: 'Bank app', bankName: input.bankName, body });
}

/** One request waiting for the customer, as the app shows it. */
export interface PendingRequestView {
  authReqId: string;
  csrfToken: string;
  tpp: { name: string; logoUri?: string | undefined; orgName?: string | undefined };
  bindingMessage: string;
  scope: string;
  consent: Consent;
  /** Epoch seconds. */
  expiresAt: number;
  error?: string;
}

export interface BankAppInput {
  bankName: string;
  customerName: string;
  signOutToken: string;
  requests: PendingRequestView[];
  accounts: Account[];
  /** What the customer just did, said once. */
  notice?: string;
}

function requestCard(request: PendingRequestView, accounts: Account[], index: number) {
  const { tpp, consent } = request;
  const heading = `request-${index}`;
  const expires = new Date(request.expiresAt * 1000).toLocaleTimeString('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
  });
  return html`<section class="card request" aria-labelledby="${heading}" data-testid="bank-app-request">
  <div class="tpp">
    ${tpp.logoUri ? html`<img src="${tpp.logoUri}" alt="">` : ''}
    <div><h2 id="${heading}">${tpp.name} wants to see your account information</h2>
    ${tpp.orgName ? html`<p class="lead">${tpp.orgName}, registered with the open banking directory</p>` : ''}</div>
  </div>
  <p>Check that ${tpp.name} shows you the same message:</p>
  <p class="binding" data-testid="binding-message">${request.bindingMessage}</p>
  ${request.error ? html`<div class="error" role="alert">${request.error}</div>` : ''}
  <h3>${tpp.name} will be able to see</h3>
  <ul class="permissions">${(consent.permissions ?? []).map((p) => html`<li>${PERMISSION_WORDS[p] ?? p}</li>`)}</ul>
  <p class="hint">Scope <code>${request.scope}</code>; consent reference <code>${consent.consentId}</code>; answer before ${expires}.</p>
  <form method="post" action="${BANK_APP_PATH}/requests/${request.authReqId}">
    <input type="hidden" name="csrf" value="${request.csrfToken}">
    <fieldset>
      <legend>Accounts to share</legend>
      ${accounts.map(
        (account, i) => html`<div class="account">
        <input type="checkbox" id="account-${index}-${i}" name="accounts" value="${account.accountId}">
        <label for="account-${index}-${i}">${account.nickname} (${account.accountSubType === 'Savings' ? 'Savings' : 'Current account'})<span class="number">${accountLabel(account)}</span></label>
      </div>`,
      )}
    </fieldset>
    <div class="actions">
      <button class="primary" type="submit" name="decision" value="approve">Approve</button>
      <button class="secondary" type="submit" name="decision" value="deny" formnovalidate>Deny</button>
    </div>
  </form>
</section>`;
}

export function bankAppPage(input: BankAppInput): string {
  const body = html`<div class="card">
  <h1>${input.bankName} app</h1>
  <p>Signed in as <strong>${input.customerName}</strong>.</p>
  ${input.notice ? html`<p role="status" class="notice">${input.notice}</p>` : ''}
  ${
    input.requests.length === 0
      ? html`<p data-testid="bank-app-empty">No requests are waiting for you. When an app asks your bank to confirm it is you, the request appears here.</p>`
      : html`<p>${String(input.requests.length)} ${input.requests.length === 1 ? 'request is' : 'requests are'} waiting for you.</p>`
  }
  <div class="actions">
    <a href="${BANK_APP_PATH}">Check for new requests</a>
  </div>
  <form method="post" action="${BANK_APP_PATH}/sign-out" class="sign-out">
    <input type="hidden" name="csrf" value="${input.signOutToken}">
    <p><button class="secondary" type="submit">Sign out of the app</button></p>
  </form>
</div>
${input.requests.map((request, i) => requestCard(request, input.accounts, i))}`;
  return page({ title: 'Bank app', bankName: input.bankName, body });
}
