// The scenarios' fixtures: the sandbox, and `step`, which names each step in words a workshop attendee
// understands (captioned in the page and screenshotted in demo mode). A worker's scenarios share one
// sandbox, started when the first asks for it: each connects on its own, and starting every party again
// per scenario was a third of its time. A scenario whose steps change what the others rely on (the
// directory's records, the first onboarding, the PKI, the base domain) gets a fresh one, and so does every
// scenario of `pnpm demo` and the workshop's screenshots, whose frames show the seeded state.
import fs from 'node:fs';
import path from 'node:path';
import { test as base, type Page } from '@playwright/test';
import { accessibilityViolations } from './accessibility.js';
import { focusFrame } from './frame-focus.js';
import { Storyboard, writeGallery } from './gallery.js';
import { type RunningSandbox, saveOutput, startSandbox } from './sandbox.js';
import { WORKSHOP_IMAGE_DIR, workshopScreenshotsWanted, workshopShotFor } from './workshop-screenshots.js';

const demo = process.env.FAPI_DEMO === '1';
const CAPTION_ID = 'fapi-demo-caption';

export interface Fixtures {
  /** `test.use({ ownCertificates: true })`: the scenario's sandbox works on its own copy of certs/. */
  ownCertificates: boolean;
  /** `test.use({ baseDomain: 'sandbox.test' })`: the scenario's parties are named under that domain. */
  baseDomain: string | undefined;
  /** `test.use({ freshSandbox: true })`: the scenario needs the seeded state, or changes it for the others. */
  freshSandbox: boolean;
  sandbox: RunningSandbox;
  step: <T>(caption: string, body: () => Promise<T>) => Promise<T>;
}

interface WorkerFixtures {
  /** The worker's shared sandbox, started on first use and stopped when the worker ends. */
  sharedSandbox: { get: () => Promise<RunningSandbox> };
}

async function caption(page: Page, text: string): Promise<void> {
  await page
    .evaluate(
      ({ id, value }) => {
        let box = document.getElementById(id);
        if (!box) {
          box = document.createElement('div');
          box.id = id;
          box.setAttribute('role', 'status');
          box.style.cssText =
            'position:fixed;left:50%;bottom:24px;transform:translateX(-50%);z-index:2147483647;max-width:80vw;' +
            'padding:12px 20px;border-radius:10px;background:rgba(17,24,39,.92);color:#fff;font:600 18px/1.4 system-ui;' +
            'box-shadow:0 8px 24px rgba(0,0,0,.3);pointer-events:none';
          document.body.appendChild(box);
        }
        box.textContent = value;
      },
      { id: CAPTION_ID, value: text },
    )
    .catch(() => {
      // The page is between navigations: the caption shows on the next step.
    });
}

/**
 * A screenshot without the caption box. The box is hidden through the DOM: the `style` option of
 * page.screenshot adds a <style> element, which a page's Content-Security-Policy (the directory's, the
 * bank's) refuses, so the box stayed in those frames, over the message it explains.
 */
async function screenshotWithoutCaption(page: Page, file: string): Promise<void> {
  const showCaption = (visible: boolean) =>
    page
      .evaluate(
        ({ id, visible }) => {
          const box = document.getElementById(id);
          if (box) box.style.visibility = visible ? 'visible' : 'hidden';
        },
        { id: CAPTION_ID, visible },
      )
      .catch(() => undefined);
  await showCaption(false);
  try {
    await page.screenshot({ path: file });
  } finally {
    await showCaption(true);
  }
}

export const test = base.extend<Fixtures, WorkerFixtures>({
  ownCertificates: [false, { option: true }],
  baseDomain: [undefined, { option: true }],
  freshSandbox: [false, { option: true }],
  sharedSandbox: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright reads a fixture's dependencies from this pattern.
    async ({}, use) => {
      let started: Promise<RunningSandbox> | undefined;
      await use({ get: () => (started ??= startSandbox()) });
      if (started) await (await started).stop();
    },
    { scope: 'worker' },
  ],
  sandbox: async ({ ownCertificates, baseDomain, freshSandbox, sharedSandbox }, use, testInfo) => {
    const fresh =
      ownCertificates || baseDomain !== undefined || freshSandbox || demo || workshopScreenshotsWanted();
    const sandbox = fresh
      ? await startSandbox({ ownCertificates, ...(baseDomain ? { baseDomain } : {}) })
      : await sharedSandbox.get();
    testInfo.annotations.push({
      type: 'sandbox',
      description: fresh
        ? `its own, started in ${(sandbox.startupMs / 1000).toFixed(1)} s`
        : `the worker's, started in ${(sandbox.startupMs / 1000).toFixed(1)} s`,
    });
    try {
      await use(sandbox);
    } finally {
      if (testInfo.status !== testInfo.expectedStatus)
        saveOutput(sandbox, testInfo.outputPath('sandbox.log'));
      if (fresh) await sandbox.stop();
    }
  },
  step: async ({ page }, use, testInfo) => {
    const story = new Storyboard();
    const galleryRoot = path.join(testInfo.project.outputDir, '..', 'screenshots');
    const folder = testInfo.titlePath
      .slice(1)
      .join(' - ')
      .replace(/[/\\:*?"<>|]+/g, '');
    // A scenario's folder holds this run's frames only (a renamed step must not leave its old frame behind).
    if (demo) fs.rmSync(path.join(galleryRoot, folder), { recursive: true, force: true });
    // Taken once the step's last assertion passed, without the caption box: the gallery puts the caption
    // under the frame, so the box never hides the message it explains.
    const screenshot = async (number: number, text: string): Promise<string | undefined> => {
      if (!demo) return undefined;
      const file = `${String(number).padStart(2, '0')} ${text.replace(/[^\w .-]+/g, '')}.png`;
      fs.mkdirSync(path.join(galleryRoot, folder), { recursive: true });
      return screenshotWithoutCaption(page, path.join(galleryRoot, folder, file))
        .then(() => file)
        .catch(() => undefined);
    };
    // A frame the workshop's labs show (docs/workshop/img), taken like the gallery's: without the caption box.
    const workshopShot = async (text: string): Promise<void> => {
      const shot = workshopScreenshotsWanted() && workshopShotFor(testInfo.file, testInfo.title, text);
      if (!shot) return;
      await page.waitForLoadState('networkidle', { timeout: 3_000 }).catch(() => undefined);
      await focusFrame(page, text);
      await screenshotWithoutCaption(page, path.join(WORKSHOP_IMAGE_DIR, `${shot.image}.png`));
    };
    // Each page (origin and path) of a scenario is checked once, at the end of the first step that reaches it.
    const checkedPages = new Set<string>();
    await use(async (text, body) =>
      base.step(text, async () => {
        const number = story.begin(text);
        if (number === undefined) return body();
        testInfo.annotations.push({ type: 'step', description: text });
        if (demo) await caption(page, `${number}. ${text}`);
        try {
          const result = await body();
          // Whatever page the step ends on must pass axe (WCAG 2.1 AA): the learner sees every one of them.
          const violations = await accessibilityViolations(page, checkedPages);
          if (violations.length > 0)
            throw new Error(`axe found accessibility violations on ${page.url()}:\n${violations.join('\n')}`);
          if (demo) {
            // The frame shows the step's effect: whatever the page still fetches when the last check passed
            // (the accounts after a redirect, say) is given a moment to arrive.
            await page.waitForLoadState('networkidle', { timeout: 3_000 }).catch(() => undefined);
            // The page may have navigated during the step: caption it again for whoever watches live.
            await caption(page, `${number}. ${text}`);
            await focusFrame(page, text);
          }
          await workshopShot(text);
          story.end(await screenshot(number, text));
          return result;
        } catch (err) {
          story.end(await screenshot(number, text), err instanceof Error ? err.message : String(err));
          throw err;
        }
      }),
    );
    if (!demo) return;
    const failed = testInfo.status !== testInfo.expectedStatus;
    // A step cut short by the test's timeout never reached its catch: mark it failed here.
    const cutShort = story.running;
    if (cutShort && failed)
      story.end(
        await screenshot(cutShort.number, cutShort.caption),
        testInfo.error?.message ?? 'The scenario stopped during this step.',
      );
    writeGallery(galleryRoot, folder, {
      title: testInfo.titlePath.slice(1).join(' › '),
      outcome: failed ? 'failed' : 'passed',
      frames: story.frames,
    });
    console.log(`Demo gallery: ${path.relative(process.cwd(), path.join(galleryRoot, 'index.html'))}`);
  },
});

export { expect } from '@playwright/test';
