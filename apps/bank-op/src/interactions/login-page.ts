// The bank's sign-in page: username, password and a one-time passcode (strong customer
// authentication, two factors). The sandbox shows its demo customers and "sends" the passcode to a
// simulated phone on the page itself, so anyone can complete the flow. For a payment the page and the
// message say what is being paid to whom (PSD2 RTS Art. 5(1)(a): the payer is made aware of the amount
// and the payee), and the code is for that payment only (passcode.ts).
import type { DemoCredential } from '@fapi-sandbox/bank-domain';
import { html, type SafeHtml } from '@fapi-sandbox/fapi-core/html';
import { page } from './layout.js';
import type { PaymentToConfirm } from './passcode.js';
import { type SignedInAs, signOutForm } from './sign-out.js';

export interface LoginPageInput {
  bankName: string;
  action: string;
  csrfToken: string;
  /** Sent back with the form, so that a sign-in that expired meanwhile can link back to the app. */
  clientId: string;
  clientName: string;
  demoCredentials: DemoCredential[];
  passcode: string;
  /** The payment this sign-in confirms, when it is one. */
  payment?: PaymentToConfirm | undefined;
  username?: string;
  error?: string;
  /** The customer the bank already has a session for (a payment asks them to sign in again). */
  signedIn?: SignedInAs | undefined;
}

/** The sandbox's demo customers and their passwords, shown where a customer signs in. */
export function demoCustomers(credentials: DemoCredential[]): SafeHtml {
  return html`<section class="demo" aria-labelledby="demo-heading">
    <h2 id="demo-heading">Demo customers</h2>
    <table>
      <thead><tr><th scope="col">Customer</th><th scope="col">Username</th><th scope="col">Password</th></tr></thead>
      <tbody>${credentials.map(
        (c) =>
          html`<tr><td>${c.displayName}</td><td><code>${c.username}</code></td><td><code>${c.password}</code></td></tr>`,
      )}</tbody>
    </table>
  </section>`;
}

export function loginPage(input: LoginPageInput): string {
  const errorId = 'sign-in-error';
  const { payment } = input;
  const body = html`<div class="card">
  <h1>Sign in to continue</h1>
  ${
    payment
      ? html`<p class="lead">${input.clientName} is asking you to pay <strong>${payment.amount}</strong> to <strong>${payment.payee}</strong>. Sign in to review the payment; every payment needs a new code.</p>`
      : html`<p class="lead">${input.clientName} is asking to connect to your ${input.bankName} accounts. Sign in to review the request.</p>`
  }
  ${input.error ? html`<div class="error" id="${errorId}" role="alert">${input.error}</div>` : ''}
  <form method="post" action="${input.action}" novalidate>
    <input type="hidden" name="csrf" value="${input.csrfToken}">
    <input type="hidden" name="client_id" value="${input.clientId}">
    <label for="username">Username</label>
    <input type="text" id="username" name="username" autocomplete="username" required value="${input.username ?? ''}"${input.error ? html` aria-describedby="${errorId}"` : ''}>
    <label for="password">Password</label>
    <input type="password" id="password" name="password" autocomplete="current-password" required>
    <label for="otp">One-time passcode</label>
    <input type="text" id="otp" name="otp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required aria-describedby="otp-hint">
    <p class="hint" id="otp-hint">We sent a 6-digit code${payment ? ' for this payment' : ''} to your registered phone.</p>
    <div class="phone" aria-label="Your phone (simulated)" role="note">
      <span>Message from ${input.bankName}:</span><br>
      <span data-testid="otp-message">${payment ? `Your ${input.bankName} code to pay ${payment.amount} to ${payment.payee} is` : `Your ${input.bankName} code to sign in is`} <strong data-testid="otp">${input.passcode}</strong>. Never share it.</span>
    </div>
    <div class="actions">
      <button class="primary" type="submit" name="action" value="login">Sign in</button>
      <button class="secondary" type="submit" name="action" value="cancel" formnovalidate>Cancel</button>
    </div>
  </form>
  ${input.signedIn ? signOutForm(input.signedIn) : ''}
  ${demoCustomers(input.demoCredentials)}
</div>`;
  return page({ title: 'Sign in', bankName: input.bankName, body });
}
