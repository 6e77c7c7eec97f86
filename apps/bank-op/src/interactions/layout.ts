// The page shell of the bank's own screens (sign-in, consent, errors): server-rendered, no scripts,
// styled like a retail bank, with landmarks, labels and visible focus for keyboard and screen-reader users.
import { html, SafeHtml } from '@fapi-sandbox/fapi-core/html';

const STYLE = `
:root{--brand:#0b5a46;--brand-dark:#073d30;--ink:#1b1f23;--muted:#5b6570;--line:#d8dee4;--bg:#f3f5f4;--danger:#b42318;--focus:#ffbf47}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--ink);background:var(--bg);line-height:1.5}
a{color:var(--brand)}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem 1rem;z-index:10}
header.bank{background:var(--brand);color:#fff}
header.bank .bar{max-width:44rem;margin:0 auto;padding:1rem 1.25rem;display:flex;align-items:center;gap:.75rem}
header.bank .mark{width:2rem;height:2rem;border-radius:.4rem;background:#fff;color:var(--brand);font-weight:800;display:grid;place-items:center}
header.bank .name{font-size:1.2rem;font-weight:700;letter-spacing:.01em}
header.bank .secure{margin-left:auto;font-size:.85rem;opacity:.9}
main{max-width:44rem;margin:2rem auto;padding:0 1.25rem}
.card{background:#fff;border:1px solid var(--line);border-radius:.75rem;padding:1.75rem;box-shadow:0 1px 2px rgba(0,0,0,.04)}
h1{font-size:1.5rem;margin:0 0 .5rem}
h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
p.lead{color:var(--muted);margin-top:0}
label{display:block;font-weight:600;margin:1rem 0 .25rem}
input[type=text],input[type=password]{width:100%;padding:.7rem .8rem;font-size:1rem;border:1px solid #8a949e;border-radius:.4rem}
input:focus,button:focus,a:focus{outline:3px solid var(--focus);outline-offset:2px}
.hint{font-size:.9rem;color:var(--muted);margin:.25rem 0 0}
.actions{display:flex;gap:.75rem;margin-top:1.5rem;flex-wrap:wrap}
button{font:inherit;font-weight:600;padding:.7rem 1.4rem;border-radius:.4rem;border:2px solid var(--brand);cursor:pointer}
button.primary{background:var(--brand);color:#fff}button.primary:hover{background:var(--brand-dark)}
button.secondary{background:#fff;color:var(--brand)}
.error{border-left:4px solid var(--danger);background:#fdecea;padding:.75rem 1rem;margin:1rem 0;color:var(--danger);font-weight:600}
.demo{margin-top:1.5rem;background:#f7faf9;border:1px dashed var(--brand);border-radius:.5rem;padding:1rem}
.demo table{border-collapse:collapse;width:100%;font-size:.95rem}
.demo th,.demo td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid var(--line)}
.phone{margin-top:1rem;background:#10181f;color:#e6f4ef;border-radius:.75rem;padding:1rem;font-size:.95rem}
.phone strong{font-size:1.4rem;letter-spacing:.2em;color:#fff}
.tpp{display:flex;align-items:center;gap:1rem;margin-bottom:1rem}
.tpp img{width:3.5rem;height:3.5rem;border-radius:.6rem;border:1px solid var(--line);object-fit:contain;background:#fff}
ul.permissions{padding-left:1.2rem}ul.permissions li{margin:.3rem 0}
fieldset{border:1px solid var(--line);border-radius:.5rem;padding:.75rem 1rem;margin:1rem 0}
legend{font-weight:700;padding:0 .25rem}
.account{display:flex;gap:.75rem;align-items:flex-start;padding:.5rem 0}
.account input{margin-top:.35rem;width:1.2rem;height:1.2rem}
.account label{margin:0;font-weight:500}
.account .number{color:var(--muted);font-size:.9rem;display:block}
dl.payment{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem;margin:0}
dl.payment dt{font-weight:600;color:var(--muted)}dl.payment dd{margin:0}
.amount{font-size:1.6rem;font-weight:800}
footer{max-width:44rem;margin:0 auto 2rem;padding:0 1.25rem;color:var(--muted);font-size:.85rem}
.card.request{margin-top:1rem}
.binding{font-size:1.4rem;font-weight:800;letter-spacing:.03em;background:#f7faf9;border:2px solid var(--brand);border-radius:.5rem;padding:.5rem 1rem;display:inline-block;overflow-wrap:anywhere}
.notice{border-left:4px solid var(--brand);background:#eef7f3;padding:.5rem 1rem}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
`;

/** A Content-Security-Policy for pages without scripts; forms post here and redirect to https TPPs. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; form-action 'self' https:; frame-ancestors 'none'; base-uri 'none'";

export function page(options: { title: string; bankName: string; body: SafeHtml }): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title} – ${options.bankName}</title>
<style>${new SafeHtml(STYLE)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to main content</a>
<header class="bank"><div class="bar"><span class="mark" aria-hidden="true">S</span><span class="name">${options.bankName}</span><span class="secure">Secure sign-in</span></div></header>
<main id="main">${options.body}</main>
<footer><p>${options.bankName} is part of FAPI Sandbox, a learning environment. No real money moves.</p></footer>
</body>
</html>`.value;
}
