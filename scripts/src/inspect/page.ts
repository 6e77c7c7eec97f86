// The learner's inspector as a page: the same sequence as the terminal, with each message's checks and the
// JWTs the parties decoded. Server-rendered with fapi-core's html tag (everything interpolated is escaped);
// only what the traces hold is shown, and the traces are redacted by the parties that recorded them. Request
// headers and bodies are left out: a learner reads their own client's side for those.
import { html, SafeHtml } from '@fapi-sandbox/fapi-core/html';
import type { DecodedJwt, TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { messageOf } from './sequence.js';

function jwtView(jwt: DecodedJwt): SafeHtml {
  const verified =
    jwt.verified === undefined ? 'decoded' : jwt.verified ? 'signature verified' : 'signature NOT verified';
  return html`<details class="jwt"><summary>${jwt.where} <small>(${verified})</small></summary>
<pre>${JSON.stringify(jwt.header, null, 2)}</pre><pre>${JSON.stringify(jwt.claims, null, 2)}</pre></details>`;
}

function eventView(event: TraceEvent): SafeHtml {
  const failed = event.checks.some((check) => !check.passed);
  const refused = (event.status ?? 0) >= 400;
  return html`<li class="event ${refused || failed ? 'refused' : 'ok'}" id="${event.id}">
<p class="line"><time datetime="${event.at}">${event.at.slice(11, 23)}</time>
<span class="party">${event.party}</span> <code>${messageOf(event)}</code> → <strong>${event.status ?? '?'}</strong>
${event.step ? html` <span class="step">${event.step}</span>` : ''}</p>
${event.explanation ? html`<p class="explanation">${event.explanation}${event.clause ? html` <small>(${event.clause})</small>` : ''}</p>` : ''}
${event.certificate ? html`<p class="certificate">Client certificate: ${event.certificate.subject} <small>x5t#S256 ${event.certificate.x5tS256}</small></p>` : ''}
${
  event.checks.length
    ? html`<table class="checks"><thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Clause</th><th scope="col">Found</th></tr></thead><tbody>
${event.checks.map((check) => html`<tr class="${check.passed ? 'pass' : 'fail'}"><td>${check.name}</td><td>${check.passed ? '✓ passed' : '✗ failed'}</td><td>${check.clause}</td><td>${check.detail}</td></tr>`)}
</tbody></table>`
    : ''
}
${event.jwts.map(jwtView)}
</li>`;
}

/** The sequence alone: what the page swaps in when new events arrive. */
export function sequenceView(events: readonly TraceEvent[], problems: readonly string[]): SafeHtml {
  return html`${problems.length ? html`<ul class="problems">${problems.map((p) => html`<li>${p}</li>`)}</ul>` : ''}
${events.length ? html`<ol class="sequence">${events.map(eventView)}</ol>` : html`<p>No events yet: run your client against the sandbox and they appear here.</p>`}`;
}

// A constant of this file, not data: trusted as markup.
const STYLE =
  new SafeHtml(`body{font:15px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:72rem;padding:0 1rem;color:#1b1b1b}
.sequence{list-style:none;padding:0}.event{border-left:4px solid #2e7d32;padding:.25rem .75rem;margin:.75rem 0}
.event.refused{border-color:#b3261e}.party{font-weight:600;display:inline-block;min-width:6rem}
table{border-collapse:collapse;font-size:13px;margin:.25rem 0}td,th{border:1px solid #ccc;padding:.2rem .4rem;text-align:left;vertical-align:top}
tr.fail td{background:#fdecea}pre{background:#f5f5f5;padding:.5rem;overflow:auto;font-size:12px}.problems{color:#b3261e}`);

/** The whole page; `refresh.js` (served beside it) swaps in the sequence whenever new events arrive. */
export function inspectorPage(
  title: string,
  events: readonly TraceEvent[],
  problems: readonly string[],
): SafeHtml {
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>${STYLE}</style></head>
<body><header><h1>${title}</h1><p>Your client's messages as the directory, bank-op and bank-api recorded them, read with your transport certificate. The page follows new events as they arrive.</p></header>
<main id="sequence" aria-live="polite">${sequenceView(events, problems)}</main><script src="/refresh.js"></script></body></html>`;
}

/** Swaps in the sequence whenever the server says the trace changed (server-sent events). */
export const REFRESH_SCRIPT = `const main = document.getElementById('sequence');
new EventSource('/changes').onmessage = async () => {
  const response = await fetch('/sequence');
  if (response.ok) main.innerHTML = await response.text();
};
`;
