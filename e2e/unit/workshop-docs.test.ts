// The workshop kit (docs/workshop) stays whole: every lab has its parts, every image a lab shows is one a
// scenario regenerates (e2e/src/workshop-screenshots.ts), and every image a scenario makes is shown.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  WORKSHOP_IMAGE_DIR,
  WORKSHOP_SHOTS,
  WORKSHOP_VIEWPORT,
  workshopShotFor,
} from '../src/workshop-screenshots.js';

const WORKSHOP_DIR = path.dirname(WORKSHOP_IMAGE_DIR);
const TESTS_DIR = path.resolve(import.meta.dirname, '../tests');

// The labs of issue #13 (`pnpm lab` lists the same ones): number and file.
const LABS = [
  [1, 'lab-01-ecosystem.md'],
  [2, 'lab-02-onboarding.md'],
  [3, 'lab-03-fapi2-dpop.md'],
  [4, 'lab-04-fapi2-mtls.md'],
  [5, 'lab-05-fapi1-advanced.md'],
  [6, 'lab-06-attack-lab.md'],
  [7, 'lab-07-payments.md'],
  [8, 'lab-08-own-client.md'],
] as const;

function lab(file: string): string {
  return fs.readFileSync(path.join(WORKSHOP_DIR, file), 'utf8');
}

/** The text of a `## Heading` section, up to the next `## `. */
function section(markdown: string, heading: string): string | undefined {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) return undefined;
  const body = markdown.slice(start + heading.length + 5);
  const end = body.indexOf('\n## ');
  return (end < 0 ? body : body.slice(0, end)).trim();
}

/** The images a markdown file shows from img/, by name without `.png`. */
function imagesShown(markdown: string): string[] {
  return [...markdown.matchAll(/!\[[^\]]*\]\(img\/([^)]+)\.png\)/g)].map(([, name]) => name ?? '');
}

/** A PNG's width, from its IHDR chunk. */
function pngWidth(file: string): number {
  return fs.readFileSync(file).readUInt32BE(16);
}

describe('the workshop labs', () => {
  for (const [number, file] of LABS) {
    describe(`lab ${number} (${file})`, () => {
      it('has a goal, steps, what you should see, a checkpoint question and the clauses it teaches', () => {
        const text = lab(file);
        expect(text).toMatch(new RegExp(`^# Lab ${number} — `));
        for (const heading of ['Goal', 'Steps', 'What you should see', 'Checkpoint', 'Clauses'])
          expect(section(text, heading), `${file}: ## ${heading}`).toBeTruthy();
        expect(section(text, 'Checkpoint'), `${file}: the checkpoint asks a question`).toContain('?');
        // Clauses spelled as the code spells them: FAPI 2.0 SP §…, RFC 9449 §…, JARM §…
        expect(section(text, 'Clauses'), `${file}: clauses`).toMatch(/^- (FAPI|RFC|JARM|PSD2|UK OB|OB )/m);
      });

      it(`ends its steps with "pnpm lab check ${number}" and says what it reports`, () => {
        const text = lab(file);
        expect(section(text, 'Steps'), `${file}: the last step`).toMatch(
          new RegExp(`Run \`pnpm lab check ${number}[^\`]*\`\\.\\s*$`),
        );
        expect(section(text, 'What you should see'), `${file}: what the check reports`).toMatch(
          new RegExp(`\`pnpm lab check ${number}[^\`]*\` reports`),
        );
      });

      it('shows at least one screenshot, each one a scenario regenerates', () => {
        const shown = imagesShown(lab(file));
        expect(shown.length, `${file}: screenshots`).toBeGreaterThan(0);
        const made = new Set(WORKSHOP_SHOTS.map((shot) => shot.image));
        for (const image of shown) expect(made, `${file} shows img/${image}.png`).toContain(image);
      });
    });
  }

  it('the README links every lab and the facilitator guide', () => {
    const readme = fs.readFileSync(path.join(WORKSHOP_DIR, 'README.md'), 'utf8');
    for (const [, file] of LABS) expect(readme).toContain(`](${file})`);
    expect(readme).toContain('](facilitator-guide.md)');
  });

  it('the facilitator guide answers every checkpoint and says how to reset', () => {
    const guide = fs.readFileSync(path.join(WORKSHOP_DIR, 'facilitator-guide.md'), 'utf8');
    const answers = section(guide, 'Answers to the checkpoints') ?? '';
    for (const [number] of LABS) expect(answers).toContain(`**Lab ${number}.**`);
    expect(section(guide, 'How to reset between groups')).toContain('pnpm reset');
  });
});

describe('the workshop screenshots', () => {
  const shownByLabs = new Set(LABS.flatMap(([, file]) => imagesShown(lab(file))));

  it('every image a scenario makes is shown by a lab', () => {
    for (const shot of WORKSHOP_SHOTS) expect(shownByLabs, `img/${shot.image}.png`).toContain(shot.image);
  });

  it('each image comes from one step of a spec that exists, and the step picks that image alone', () => {
    const names = WORKSHOP_SHOTS.map((shot) => shot.image);
    expect(new Set(names).size).toBe(names.length);
    for (const shot of WORKSHOP_SHOTS) {
      expect(fs.existsSync(path.join(TESTS_DIR, shot.spec)), shot.spec).toBe(true);
      expect(workshopShotFor(`/x/tests/${shot.spec}`, `… ${shot.test} …`, `${shot.step} …`)).toBe(shot);
    }
    expect(
      workshopShotFor('/x/tests/onboarding.spec.ts', 'Moneywise onboards', 'Another step'),
    ).toBeUndefined();
  });

  it('img/ holds exactly the images the scenarios make, 1440 px wide', () => {
    const files = fs.readdirSync(WORKSHOP_IMAGE_DIR).sort();
    expect(files).toEqual(WORKSHOP_SHOTS.map((shot) => `${shot.image}.png`).sort());
    for (const file of files)
      expect(pngWidth(path.join(WORKSHOP_IMAGE_DIR, file)), file).toBe(WORKSHOP_VIEWPORT.width);
  });
});
