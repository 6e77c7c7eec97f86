// The consent page (FAPI 2.0 SP §5.3.2.2-13, FAPI 1.0 Part 1 §5.2.2-12): who is asking (the TPP's name
// and logo as the directory lists them), what it asks for in plain words (account-access permissions,
// or the payee and amount of a payment), and which accounts the customer chooses. Allow or Deny.
import type { Account, Consent, Permission, RequestedDetail } from '@fapi-sandbox/bank-domain';
import { formatMinorUnits } from '@fapi-sandbox/bank-domain';
import { html } from '@fapi-sandbox/fapi-core/html';
import { GRANT_LIFETIME_SECONDS } from '../provider/configuration.js';
import { page } from './layout.js';
import { type SignedInAs, signOutForm } from './sign-out.js';

/** UK OB v3.1 permission codes in the words a customer reads. */
export const PERMISSION_WORDS: Record<Permission, string> = {
  ReadAccountsBasic: 'Your account names, types and currencies',
  ReadAccountsDetail: 'Your account numbers and sort codes',
  ReadBalances: 'Your account balances',
  ReadBeneficiariesBasic: 'The people and businesses you have paid (names only)',
  ReadBeneficiariesDetail: 'The people and businesses you have paid, with their account details',
  ReadDirectDebits: 'Your Direct Debits',
  ReadOffers: 'Offers the bank has made to you',
  ReadPAN: 'Your full card numbers',
  ReadParty: 'The account holders’ names and contact details',
  ReadPartyPSU: 'Your own name and contact details',
  ReadProducts: 'The products your accounts are on (rates and fees)',
  ReadScheduledPaymentsBasic: 'Your scheduled payments',
  ReadScheduledPaymentsDetail: 'Your scheduled payments, with the payees’ account details',
  ReadStandingOrdersBasic: 'Your standing orders',
  ReadStandingOrdersDetail: 'Your standing orders, with the payees’ account details',
  ReadStatementsBasic: 'Your statements',
  ReadStatementsDetail: 'Your statements, with every detail they contain',
  ReadTransactionsBasic: 'Your transactions (amounts and dates)',
  ReadTransactionsCredits: 'Money coming into your accounts',
  ReadTransactionsDebits: 'Money going out of your accounts',
  ReadTransactionsDetail: 'Your transactions, with descriptions and merchants',
};

export interface ConsentPageInput {
  bankName: string;
  action: string;
  csrfToken: string;
  /** Sent back with the form, so that a sign-in that expired meanwhile can link back to the app. */
  clientId: string;
  tpp: { name: string; logoUri?: string | undefined; orgName?: string | undefined };
  consent: Consent;
  accounts: Account[];
  customerName: string;
  /** The sign-out form ("Not Alice? Sign out"). */
  signedIn?: SignedInAs | undefined;
  /** Accounts shown ticked: none at first, every one after "Select all accounts". */
  chosenAccountIds?: readonly string[];
  error?: string;
  /** RFC 9396: the request's authorization_details, when they (not a consent at bank-api) are what is asked. */
  authorizationDetail?: RequestedDetail | undefined;
}

export function accountLabel(account: Account): string {
  const identification = account.account[0]?.identification ?? '';
  const sortCode = identification.slice(0, 6).replace(/(\d{2})(\d{2})(\d{2})/, '$1-$2-$3');
  return `${sortCode} ${identification.slice(6)}`;
}

function dateOnly(iso: string | undefined): string | undefined {
  return iso
    ? new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric' })
    : undefined;
}

export function consentPage(input: ConsentPageInput): string {
  const { consent, tpp } = input;
  const isPayment = consent.kind === 'domestic-payment';
  const initiation = consent.initiation;
  const reference =
    initiation?.remittanceInformation?.reference ?? initiation?.remittanceInformation?.unstructured;

  const request =
    isPayment && initiation
      ? html`<h2>Payment details</h2>
  <dl class="payment">
    <dt>Pay</dt><dd class="amount">${initiation.instructedAmount.currency} ${formatMinorUnits(initiation.instructedAmount.amountMinor, initiation.instructedAmount.currency)}</dd>
    <dt>To</dt><dd>${initiation.creditorAccount.name ?? 'Payee'} <span class="number">${initiation.creditorAccount.identification}</span></dd>
    ${reference ? html`<dt>Reference</dt><dd>${reference}</dd>` : ''}
  </dl>`
      : html`<h2>${tpp.name} will be able to see</h2>
  <ul class="permissions">${(consent.permissions ?? []).map((p) => html`<li>${PERMISSION_WORDS[p] ?? p}</li>`)}</ul>
  ${consent.expirationDateTime ? html`<p>Until ${dateOnly(consent.expirationDateTime)}, unless you withdraw your consent sooner.</p>` : html`<p>Until you withdraw your consent.</p>`}
  <p>Signing out of the bank does not end it; the bank asks you to confirm it again after ${String(Math.round(GRANT_LIFETIME_SECONDS / 86_400))} days.</p>`;

  const chooser = html`<fieldset>
    <legend>${isPayment ? 'Pay from' : 'Accounts to share'}</legend>
    ${input.accounts.map(
      (account, i) => html`<div class="account">
      <input type="${isPayment ? 'radio' : 'checkbox'}" id="account-${i}" name="accounts" value="${account.accountId}"${(isPayment && i === 0) || input.chosenAccountIds?.includes(account.accountId) ? html` checked` : ''}>
      <label for="account-${i}">${account.nickname} (${account.accountSubType === 'Savings' ? 'Savings' : 'Current account'})<span class="number">${accountLabel(account)}</span></label>
    </div>`,
    )}
    ${
      // A submit button, so it works without scripts (the page's CSP allows none): the bank shows the page
      // again with every account ticked, and the customer still presses Allow.
      !isPayment && input.accounts.length > 1
        ? html`<button class="secondary" type="submit" name="decision" value="select-all" formnovalidate>Select all accounts</button>`
        : ''
    }
  </fieldset>`;

  const body = html`<div class="card">
  <div class="tpp">
    ${tpp.logoUri ? html`<img src="${tpp.logoUri}" alt="">` : ''}
    <div><h1>${tpp.name} ${isPayment ? 'wants to make a payment' : 'wants to see your account information'}</h1>
    ${tpp.orgName ? html`<p class="lead">${tpp.orgName}, registered with the open banking directory</p>` : ''}</div>
  </div>
  <p>Signed in as <strong>${input.customerName}</strong>.</p>
  ${input.error ? html`<div class="error" role="alert">${input.error}</div>` : ''}
  <form method="post" action="${input.action}">
    <input type="hidden" name="csrf" value="${input.csrfToken}">
    <input type="hidden" name="client_id" value="${input.clientId}">
    ${request}
    ${chooser}
    ${
      input.authorizationDetail
        ? html`<p class="hint">${tpp.name} sent these details to the bank in its request (<code>authorization_details</code>, type <code>${input.authorizationDetail.type}</code>); the bank grants exactly them.</p>`
        : html`<p class="hint">Consent reference: <code>${consent.consentId}</code></p>`
    }
    <div class="actions">
      <button class="primary" type="submit" name="decision" value="allow">${isPayment ? 'Confirm payment' : 'Allow'}</button>
      <button class="secondary" type="submit" name="decision" value="deny">Deny</button>
    </div>
  </form>
  ${input.signedIn ? signOutForm(input.signedIn) : ''}
</div>`;
  return page({
    title: isPayment ? 'Confirm payment' : 'Share account information',
    bankName: input.bankName,
    body,
  });
}
