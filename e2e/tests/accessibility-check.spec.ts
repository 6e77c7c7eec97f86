// The check every scenario's steps end with (src/accessibility.ts) must find what axe finds, on a page
// without frames (one axe.run) as on a page with one (axe in each frame, then finishRun), and nothing on a
// clean page. No sandbox: the pages are served by the browser's router on an https origin.
import { expect, test } from '@playwright/test';
import { accessibilityViolations } from '../src/accessibility.js';

const ORIGIN = 'https://axe-probe.sandbox.test';
const page = (body: string) =>
  `<!doctype html><html lang="en"><head><title>Probe</title></head><body><main><h1>Probe</h1>${body}</main></body></html>`;
const PAGES: Record<string, string> = {
  '/clean': page('<p>Nothing to find here.</p>'),
  '/image-without-alt': page('<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'),
  '/frame-with-image-without-alt': page('<iframe title="Inner" src="/image-without-alt"></iframe>'),
  // Leaves as soon as axe arrives, as a page does when a step ends on a click that submits it: axe is
  // injected here and would run in the next page, where it is not.
  '/leaves-when-checked': page(
    "<script>setInterval(() => { if (window.axe) location.assign('/image-without-alt'); }, 1);</script>",
  ),
};

test.beforeEach(async ({ page: browserPage }) => {
  await browserPage.route(`${ORIGIN}/**`, (route) =>
    route.fulfill({ contentType: 'text/html', body: PAGES[new URL(route.request().url()).pathname] ?? '' }),
  );
});

test('The accessibility check passes a clean page', async ({ page: browserPage }) => {
  await browserPage.goto(`${ORIGIN}/clean`);
  expect(await accessibilityViolations(browserPage, new Set())).toEqual([]);
});

test('The accessibility check finds an image without a text alternative on a page without frames', async ({
  page: browserPage,
}) => {
  await browserPage.goto(`${ORIGIN}/image-without-alt`);
  expect(browserPage.frames()).toHaveLength(1);
  const violations = await accessibilityViolations(browserPage, new Set());
  expect(violations).toEqual([expect.stringMatching(/^image-alt \(critical\)/)]);
});

test('The accessibility check finds an image without a text alternative inside a frame', async ({
  page: browserPage,
}) => {
  await browserPage.goto(`${ORIGIN}/frame-with-image-without-alt`);
  await expect(browserPage.frameLocator('iframe').getByRole('heading', { name: 'Probe' })).toBeVisible();
  expect(browserPage.frames()).toHaveLength(2);
  const violations = await accessibilityViolations(browserPage, new Set());
  expect(violations).toEqual([expect.stringMatching(/^image-alt \(critical\).*iframe img/)]);
});

test('The accessibility check looks at each page of a scenario once', async ({ page: browserPage }) => {
  const checked = new Set<string>();
  await browserPage.goto(`${ORIGIN}/image-without-alt`);
  expect(await accessibilityViolations(browserPage, checked)).toHaveLength(1);
  expect(await accessibilityViolations(browserPage, checked)).toEqual([]);
});

test('The accessibility check looks at the page it lands on when the page leaves during the check', async ({
  page: browserPage,
}) => {
  await browserPage.goto(`${ORIGIN}/leaves-when-checked`);
  const violations = await accessibilityViolations(browserPage, new Set());
  expect(browserPage.url()).toBe(`${ORIGIN}/image-without-alt`);
  expect(violations).toEqual([expect.stringMatching(/^image-alt \(critical\)/)]);
});
