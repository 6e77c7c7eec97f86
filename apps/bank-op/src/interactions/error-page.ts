// The error page oidc-provider shows when it cannot send an error back to the client (unknown client,
// unregistered redirect URI, expired request_uri): the OAuth error and its explained description.
import { html } from '@fapi-sandbox/fapi-core/html';
import { page } from './layout.js';

export function errorPage(input: {
  bankName: string;
  error: string;
  description: string;
  state?: string;
}): string {
  const body = html`<div class="card">
  <h1>This request cannot continue</h1>
  <p class="lead">The app that sent you here made a request the bank cannot accept. Nothing was shared.</p>
  <div class="error" role="alert"><code data-testid="error">${input.error}</code>: <span data-testid="error_description">${input.description}</span></div>
  <p>Close this page and return to the app to try again.</p>
</div>`;
  return page({ title: 'Request refused', bankName: input.bankName, body });
}
