// The scenarios' fixtures: a fresh sandbox per scenario, and `step`, which names each step in words a
// workshop attendee understands (captioned in the page and screenshotted in demo mode).
import fs from 'node:fs';
import path from 'node:path';
import { test as base, type Page } from '@playwright/test';
import { accessibilityViolations } from './accessibility.js';
import { type RunningSandbox, saveOutput, startSandbox } from './sandbox.js';

const demo = process.env.FAPI_DEMO === '1';

export interface Fixtures {
  /** `test.use({ ownCertificates: true })`: the scenario's sandbox works on its own copy of certs/. */
  ownCertificates: boolean;
  sandbox: RunningSandbox;
  step: <T>(caption: string, body: () => Promise<T>) => Promise<T>;
}

async function caption(page: Page, text: string): Promise<void> {
  await page
    .evaluate((value) => {
      const id = 'fapi-demo-caption';
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
    }, text)
    .catch(() => {
      // The page is between navigations: the caption shows on the next step.
    });
}

export const test = base.extend<Fixtures>({
  ownCertificates: [false, { option: true }],
  sandbox: async ({ ownCertificates }, use, testInfo) => {
    const sandbox = await startSandbox({ ownCertificates });
    testInfo.annotations.push({
      type: 'sandbox startup',
      description: `${(sandbox.startupMs / 1000).toFixed(1)} s`,
    });
    try {
      await use(sandbox);
    } finally {
      if (testInfo.status !== testInfo.expectedStatus)
        saveOutput(sandbox, testInfo.outputPath('sandbox.log'));
      await sandbox.stop();
    }
  },
  step: async ({ page }, use, testInfo) => {
    let n = 0;
    // Each page (origin and path) of a scenario is checked once, at the end of the first step that reaches it.
    const checkedPages = new Set<string>();
    await use(async (text, body) =>
      base.step(text, async () => {
        n += 1;
        testInfo.annotations.push({ type: 'step', description: text });
        if (demo) await caption(page, `${n}. ${text}`);
        const result = await body();
        // Whatever page the step ends on must pass axe (WCAG 2.1 AA): the learner sees every one of them.
        const violations = await accessibilityViolations(page, checkedPages);
        if (violations.length > 0)
          throw new Error(`axe found accessibility violations on ${page.url()}:\n${violations.join('\n')}`);
        if (demo) {
          await caption(page, `${n}. ${text}`);
          const dir = path.join(
            testInfo.project.outputDir,
            '..',
            'screenshots',
            testInfo.titlePath.slice(1).join(' - '),
          );
          fs.mkdirSync(dir, { recursive: true });
          await page.screenshot({
            path: path.join(dir, `${String(n).padStart(2, '0')} ${text.replace(/[^\w .-]+/g, '')}.png`),
          });
        }
        return result;
      }),
    );
  },
});

export { expect } from '@playwright/test';
