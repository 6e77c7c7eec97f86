import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  galleryIndexHtml,
  type Scenario,
  Storyboard,
  scenarioGalleryHtml,
  writeGallery,
} from '../src/gallery.js';

const passed: Scenario = {
  title: 'Alice denies consent',
  outcome: 'passed',
  frames: [
    { number: 1, caption: 'Open Moneywise', image: '01 Open Moneywise.png', outcome: 'passed' },
    {
      number: 2,
      caption: 'The bank says <access_denied>',
      image: '02 The bank says access_denied.png',
      outcome: 'passed',
    },
  ],
};

const failed: Scenario = {
  title: 'The directory revokes a certificate',
  outcome: 'failed',
  frames: [
    { number: 1, caption: 'Onboard', image: '01 Onboard.png', outcome: 'passed' },
    { number: 2, caption: 'The bank refuses it', outcome: 'failed', error: 'expected "revoked"' },
  ],
};

/** The figures of a gallery, in order: image source, alt text and the caption under it. */
function figures(html: string): { src?: string; alt?: string; caption: string; afterImage: boolean }[] {
  return [...html.matchAll(/<figure[^>]*>([\s\S]*?)<\/figure>/g)].map(([, inner = '']) => {
    const img = inner.match(/<img src="([^"]*)" alt="([^"]*)">/);
    const caption = inner.match(/<figcaption>([\s\S]*?)<\/figcaption>/)?.[1] ?? '';
    return {
      src: img?.[1],
      alt: img?.[2],
      caption,
      afterImage: img ? inner.indexOf('<figcaption>') > inner.indexOf('<img') : true,
    };
  });
}

describe('the demo gallery of a scenario', () => {
  it('shows every frame in step order with its caption under it, and the caption as alt text', () => {
    const html = scenarioGalleryHtml(passed);
    expect(figures(html)).toEqual([
      {
        src: '01%20Open%20Moneywise.png',
        alt: '1. Open Moneywise',
        caption: '1. Open Moneywise',
        afterImage: true,
      },
      {
        src: '02%20The%20bank%20says%20access_denied.png',
        alt: '2. The bank says &lt;access_denied&gt;',
        caption: '2. The bank says &lt;access_denied&gt;',
        afterImage: true,
      },
    ]);
  });

  it('has a language, a title, one h1 and a heading per step', () => {
    const html = scenarioGalleryHtml(passed);
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<title>Alice denies consent</title>');
    expect(html.match(/<h1>/g)).toHaveLength(1);
    expect(html.match(/<h2>Step \d+/g)).toEqual(['<h2>Step 1', '<h2>Step 2']);
  });

  it('works offline: only relative links, nothing fetched from elsewhere', () => {
    const html = scenarioGalleryHtml(passed) + galleryIndexHtml([{ folder: 'a b', scenario: passed }]);
    expect(html).not.toMatch(/(src|href)="(https?:|\/)/);
    expect(html).toContain('<a href="../index.html">');
  });

  it('marks the failed step and says why, even without a screenshot', () => {
    const html = scenarioGalleryHtml(failed);
    expect(html).toContain('<h2>Step 2 (failed)</h2>');
    expect(html).toContain('This step failed.');
    expect(html).toContain('expected &quot;revoked&quot;');
    expect(html).toContain('Scenario <span class="failed">failed</span>');
  });
});

describe('writing the galleries', () => {
  it('writes each scenario folder an index.html and rebuilds the top-level index linking all of them', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gallery-'));
    try {
      writeGallery(root, 'customer says no', passed);
      writeGallery(root, 'directory revokes', failed);
      expect(fs.readFileSync(path.join(root, 'customer says no', 'index.html'), 'utf8')).toContain(
        '<h1>Alice denies consent</h1>',
      );
      const index = fs.readFileSync(path.join(root, 'index.html'), 'utf8');
      expect([...index.matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]])).toEqual([
        ['customer%20says%20no/index.html', 'Alice denies consent'],
        ['directory%20revokes/index.html', 'The directory revokes a certificate'],
      ]);
      expect(index).toMatch(/The directory revokes a certificate<\/a> — <span class="failed">failed/);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('numbering the steps', () => {
  it('numbers steps consecutively; a step started inside another is part of it, not a number of its own', () => {
    // As directory-revokes-certificate runs: a step whose body runs a shared flow's step.
    const story = new Storyboard();
    expect(story.begin('Onboard')).toBe(1);
    story.end('01.png');
    expect(story.begin('Moneywise can still reach the bank')).toBe(2);
    expect(story.begin('Choose fapi2-mtls and connect')).toBeUndefined();
    story.end('02.png');
    expect(story.begin('Revoke the certificate')).toBe(3);
    story.end('03.png');
    expect(story.begin('The bank refuses it')).toBe(4);
    story.end(undefined, 'expected "revoked"');
    expect(story.frames.map((f) => [f.number, f.caption, f.outcome])).toEqual([
      [1, 'Onboard', 'passed'],
      [2, 'Moneywise can still reach the bank', 'passed'],
      [3, 'Revoke the certificate', 'passed'],
      [4, 'The bank refuses it', 'failed'],
    ]);
    expect(story.frames[3]?.error).toBe('expected "revoked"');
  });

  it('keeps a step a timeout cut short as running, so that the end of the scenario can mark it failed', () => {
    const story = new Storyboard();
    story.begin('Wait for the bank');
    expect(story.running).toEqual({ number: 1, caption: 'Wait for the bank' });
  });

  it("keeps a failed step's error as plain text, without the terminal's colour codes", () => {
    const story = new Storyboard();
    story.begin('Expect the error');
    story.end(
      undefined,
      '\u001b[2mexpect(\u001b[22m\u001b[31mlocator\u001b[39m\u001b[2m).toBeVisible() failed',
    );
    expect(story.frames[0]?.error).toBe('expect(locator).toBeVisible() failed');
  });
});
