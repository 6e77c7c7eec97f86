// The page's stylesheet, served as a file so the Content-Security-Policy can forbid inline styles.
export const STYLESHEET = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #4a5360; --line: #d6dbe1; --accent: #0b4f9c; --bg: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header.site { background: #102a43; color: #fff; padding: 0.75rem 1.5rem; display: flex; gap: 1.5rem; align-items: center; flex-wrap: wrap; }
header.site a { color: #fff; }
header.site .brand { font-weight: 700; text-decoration: none; margin-right: auto; }
header.site nav { display: flex; flex-wrap: wrap; gap: 0.25rem 1rem; align-items: center; }
header.site form { margin: 0; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.75rem; }
h3 { font-size: 1rem; margin: 1.25rem 0 0.5rem; }
a { color: var(--accent); }
p.lead { color: var(--muted); max-width: 52rem; }
table { width: 100%; border-collapse: collapse; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 0.5rem 0.75rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f5; font-weight: 600; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.875rem; }
code.id { word-break: break-all; }
pre { background: #fff; border: 1px solid var(--line); padding: 0.75rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.35rem 1rem; background: #fff; border: 1px solid var(--line); padding: 1rem; margin: 0; }
dl.facts dt { font-weight: 600; color: var(--muted); }
dl.facts dd { margin: 0; word-break: break-word; }
.badge { display: inline-block; padding: 0.1rem 0.55rem; border-radius: 999px; font-size: 0.8rem; font-weight: 700; border: 1px solid; }
.badge.active { background: #e3f4e8; color: #14532d; border-color: #86c79b; }
.badge.suspended { background: #fff4d6; color: #6b4500; border-color: #e0b34c; }
.badge.revoked { background: #fde4e4; color: #7f1d1d; border-color: #e59a9a; }
.badge.superseded { background: #eceff3; color: #333d49; border-color: #aab3bf; }
.badge.in-use { background: #e0ecff; color: #1e3a8a; border-color: #93b4e8; }
.badge.expired, .badge.unknown { background: #eceff3; color: #333d49; border-color: #aab3bf; }
.notice { background: #e8f1fc; border: 1px solid #9dbde6; padding: 0.75rem 1rem; margin: 0 0 1rem; }
.error { background: #fde4e4; border: 1px solid #e59a9a; padding: 0.75rem 1rem; margin: 0 0 1rem; }
.actions { display: flex; gap: 0.5rem; flex-wrap: wrap; align-items: center; }
.actions form { margin: 0; }
a.button { display: inline-block; margin: 0 0 0.3rem; padding: 0.3rem 0.8rem; border-radius: 4px; border: 1px solid #2c3e50; color: var(--ink); text-decoration: none; }
button { font: inherit; padding: 0.3rem 0.8rem; border-radius: 4px; border: 1px solid #2c3e50; background: #fff; color: var(--ink); cursor: pointer; }
button.danger, a.button.danger { border-color: #991b1b; color: #991b1b; }
button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
button:focus-visible, a:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
label { font-weight: 600; display: block; margin-bottom: 0.25rem; }
input[type=password] { font: inherit; padding: 0.4rem; width: 100%; max-width: 32rem; border: 1px solid #6b7785; border-radius: 4px; }
select { font: inherit; padding: 0.25rem; }
input[type=text], textarea { font: inherit; padding: 0.4rem; width: 100%; max-width: 40rem; border: 1px solid #6b7785; border-radius: 4px; }
textarea { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.875rem; }
fieldset { border: 1px solid var(--line); background: #fff; padding: 0.75rem 1rem; margin: 0 0 1rem; }
legend { font-weight: 600; padding: 0 0.25rem; }
label.inline { display: inline-flex; gap: 0.35rem; align-items: center; font-weight: 400; margin-right: 1rem; }
.field { margin: 0 0 1rem; }
.warning { background: #fff4d6; border: 1px solid #e0b34c; padding: 0.75rem 1rem; margin: 0 0 1rem; }
section.card { background: #fff; border: 1px solid var(--line); padding: 1rem; margin: 0 0 1rem; }
section.card h2, section.card h3 { margin-top: 0; }
.hint { display: block; margin-top: 0.25rem; }
ol.steps li { margin: 0 0 0.4rem; }
.muted { color: var(--muted); }
.two-col { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
@media (max-width: 50rem) { .two-col { grid-template-columns: 1fr; } }
@media (max-width: 50rem) {
  /* The column headers stay for screen readers, off to the left where they add no sideways scroll. */
  table.stack thead { position: absolute; left: -100vw; top: auto; }
  table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: 100%; }
  table.stack tr { border-bottom: 2px solid var(--line); padding: 0.5rem 0; }
  table.stack td { position: relative; border-bottom: none; padding: 0.3rem 0.75rem 0.3rem 9rem; overflow-wrap: anywhere; }
  table.stack td::before { content: attr(data-label); position: absolute; left: 0.75rem; width: 7.5rem; font-weight: 600; color: var(--muted); }
}
`;
