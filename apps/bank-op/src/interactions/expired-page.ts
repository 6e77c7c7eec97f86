// The page for a sign-in the bank no longer holds: its interaction expired (or its cookie is gone, e.g.
// another browser). Nobody did anything wrong: say that the sign-in expired, that nothing was shared,
// and send the customer back to the app to start again.
import { html } from '@fapi-sandbox/fapi-core/html';
import { page } from './layout.js';

export interface ReturnLink {
  /** The app's name as registered (or listed in the directory). */
  name: string;
  /** Where the app lives: its registered client_uri, or the origin of its registered redirect URI. */
  url: string;
}

export function expiredSignInPage(input: { bankName: string; app?: ReturnLink; reason: string }): string {
  const appName = input.app?.name ?? 'the app';
  const back = input.app
    ? html`<p class="actions"><a data-testid="return-to-app" href="${input.app.url}">Return to ${input.app.name}</a></p>`
    : html`<p>Go back to the app you came from.</p>`;
  const body = html`<div class="card">
  <h1>Your sign-in has expired</h1>
  <p class="lead" data-testid="expired" role="alert">A sign-in at ${input.bankName} lasts a few minutes and belongs to the browser that started it; this one ended before it was finished, or was started in another browser. Nothing was shared with ${appName}.</p>
  <p>Start again from ${appName}: it will send you back here for a fresh sign-in.</p>
  ${back}
  <p class="hint">Technical detail: ${input.reason}. The app must send a new authorization request (a pushed request_uri is single-use, RFC 9126 §2.2).</p>
</div>`;
  return page({ title: 'Sign-in expired', bankName: input.bankName, body });
}
