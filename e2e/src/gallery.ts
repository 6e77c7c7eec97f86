// The demo's galleries: per scenario, an index.html of its step screenshots with each caption under its
// frame, and a top-level index.html linking every scenario. Plain HTML with relative links, so the folder
// works offline, copied to a USB stick or opened from a workshop laptop's file manager.
import fs from 'node:fs';
import path from 'node:path';

export type Outcome = 'passed' | 'failed';

export interface Frame {
  /** 1, 2, 3… in the order the steps ran. */
  number: number;
  caption: string;
  /** The screenshot's file name, inside the scenario's folder; absent when none could be taken. */
  image?: string;
  outcome: Outcome;
  /** Why the step failed, for a failed step. */
  error?: string;
}

export interface Scenario {
  title: string;
  outcome: Outcome;
  frames: Frame[];
}

/**
 * A scenario's steps as they run, numbered 1, 2, 3… when they start. A step started inside a running step
 * is part of it (no number or frame of its own), so the numbers stay consecutive and in order.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character starts every terminal colour code.
const ANSI_COLOURS = /\u001b\[[0-9;]*m/g;

export class Storyboard {
  readonly frames: Frame[] = [];
  #started = 0;
  #running: { number: number; caption: string } | undefined;

  /** The new step's number, or undefined for a step inside the running one. */
  begin(caption: string): number | undefined {
    if (this.#running) return undefined;
    this.#started += 1;
    this.#running = { number: this.#started, caption };
    return this.#started;
  }

  /** The step that began and has not ended (one a timeout cut short, at the end of a scenario). */
  get running(): { number: number; caption: string } | undefined {
    return this.#running;
  }

  /** Ends the running step with its screenshot; with an error, the step failed. */
  end(image: string | undefined, error?: string): void {
    if (!this.#running) return;
    this.frames.push({
      ...this.#running,
      image,
      outcome: error === undefined ? 'passed' : 'failed',
      // Playwright colours its messages for a terminal: the page shows them plain.
      ...(error === undefined ? {} : { error: error.replace(ANSI_COLOURS, '') }),
    });
    this.#running = undefined;
  }
}

/** What a scenario's folder keeps besides its screenshots, so that the top-level index can be rebuilt. */
export const SCENARIO_FILE = 'scenario.json';
const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:24px;color:#111827}
figure{margin:0 0 40px}img{max-width:100%;height:auto;border:1px solid #d1d5db;border-radius:6px}
figcaption{margin-top:8px;font-weight:600}.failed{color:#b91c1c}pre{white-space:pre-wrap;font-size:14px}`;

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

/** A relative URL for a file or folder name, which may hold spaces and other characters. */
function href(name: string): string {
  return name.split('/').map(encodeURIComponent).join('/');
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
${body}
</main></body>
</html>
`;
}

function outcomeText(outcome: Outcome): string {
  return outcome === 'failed' ? '<span class="failed">failed</span>' : 'passed';
}

/** One scenario's gallery: a heading, then each step's frame with its caption under it (and alt text). */
export function scenarioGalleryHtml(scenario: Scenario): string {
  const frames = scenario.frames.map((frame) => {
    const caption = `${frame.number}. ${frame.caption}`;
    const image = frame.image
      ? `<img src="${href(frame.image)}" alt="${escapeHtml(caption)}">`
      : '<p>No screenshot: the page could not be captured.</p>';
    const failure =
      frame.outcome === 'failed'
        ? `<p class="failed"><strong>This step failed.</strong></p>${frame.error ? `<pre>${escapeHtml(frame.error)}</pre>` : ''}`
        : '';
    return `<figure id="step-${frame.number}">
<h2>Step ${frame.number}${frame.outcome === 'failed' ? ' (failed)' : ''}</h2>
${image}
<figcaption>${escapeHtml(caption)}</figcaption>
${failure}
</figure>`;
  });
  return page(
    scenario.title,
    `<p><a href="../index.html">All scenarios</a></p>
<h1>${escapeHtml(scenario.title)}</h1>
<p>Scenario ${outcomeText(scenario.outcome)}, ${scenario.frames.length} step(s).</p>
${frames.join('\n')}`,
  );
}

/** The top-level index: a link per scenario folder, with its outcome. */
export function galleryIndexHtml(scenarios: { folder: string; scenario: Scenario }[]): string {
  const items = scenarios.map(
    ({ folder, scenario }) =>
      `<li><a href="${href(folder)}/index.html">${escapeHtml(scenario.title)}</a> — ${outcomeText(scenario.outcome)}, ${scenario.frames.length} step(s)</li>`,
  );
  return page(
    'FAPI Sandbox demo scenarios',
    `<h1>FAPI Sandbox demo scenarios</h1>
<p>Each scenario's steps, a screenshot per step with its caption under it.</p>
<ul>
${items.join('\n')}
</ul>`,
  );
}

/**
 * Writes a scenario's gallery into its folder, then rebuilds the top-level index from every scenario
 * folder under `root`: each scenario may run in a fresh worker, so the index cannot be held in memory.
 */
export function writeGallery(root: string, folder: string, scenario: Scenario): void {
  const dir = path.join(root, folder);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, SCENARIO_FILE), JSON.stringify(scenario, null, 2));
  fs.writeFileSync(path.join(dir, 'index.html'), scenarioGalleryHtml(scenario));
  const scenarios = fs
    .readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(root, entry.name, SCENARIO_FILE)))
    .map((entry) => entry.name)
    .sort()
    .map((name) => ({
      folder: name,
      scenario: JSON.parse(fs.readFileSync(path.join(root, name, SCENARIO_FILE), 'utf8')) as Scenario,
    }));
  fs.writeFileSync(path.join(root, 'index.html'), galleryIndexHtml(scenarios));
}
