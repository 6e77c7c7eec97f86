// The frame of every page: header with navigation and the admin sign-in state, then the content.
import { html, type SafeHtml } from '@fapi-sandbox/fapi-core/html';

export interface PageContext {
  admin: boolean;
  /** Where the sign-in form sends the admin back to. */
  path: string;
  notice?: string;
  error?: string;
  /** A developer portal page: its errors lead back to /portal. */
  portal?: boolean;
}

export function statusBadge(status: string): SafeHtml {
  return html`<span class="badge ${status}">${status}</span>`;
}

export function page(title: string, context: PageContext, content: SafeHtml): string {
  const account = context.admin
    ? html`<form method="post" action="/ui/logout"><button type="submit">Sign out (admin)</button></form>`
    : html`<a href="/ui/login?next=${encodeURIComponent(context.path)}">Admin sign-in</a>`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · FAPI Sandbox Directory</title>
<link rel="stylesheet" href="/ui/style.css">
</head>
<body>
<header class="site">
  <a class="brand" href="/ui">FAPI Sandbox Directory</a>
  <nav aria-label="Directory">
    <a href="/ui">Participants</a>
    <a href="/ui/certificates">Certificates</a>
    <a href="/portal">Developer portal</a>
    ${account}
  </nav>
</header>
<main>
${context.notice ? html`<p class="notice" role="status">${context.notice}</p>` : ''}
${context.error ? html`<p class="error" role="alert">${context.error}</p>` : ''}
${content}
</main>
</body>
</html>`.value;
}
