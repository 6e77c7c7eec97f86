import { defineConfig } from '@playwright/test';
import { canRecordVideo, chromiumLaunchOptions } from './src/browser.js';
import { WORKSHOP_VIEWPORT, workshopScreenshotsWanted } from './src/workshop-screenshots.js';

// `pnpm e2e`: headless, as CI runs it. `pnpm demo`: headed and slowed, each step captioned in the page,
// with a trace, a video and a screenshot per step saved under demo-output/ for slides.
const demo = process.env.FAPI_DEMO === '1';
const recordVideo = demo && canRecordVideo();
// Headed needs a display: on Linux without one the demo runs headless (its screenshots and galleries are the same).
const hasDisplay =
  process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
if (demo && !recordVideo) {
  console.log(
    "No video: Playwright's ffmpeg is not installed (pnpm --filter @fapi-sandbox/e2e exec playwright install ffmpeg).",
  );
  console.log('The demo still saves a trace with its screencast, and a screenshot per step.');
}

export default defineConfig({
  testDir: './tests',
  // Two workers, each with its sandbox (src/fixtures.ts): a scenario waits on the browser and the parties
  // in turn, so one worker left a core of two mostly idle. `pnpm demo` passes --workers=1.
  workers: 2,
  fullyParallel: false,
  timeout: demo ? 300_000 : 120_000,
  expect: { timeout: 15_000 },
  retries: 0,
  reporter: process.env.CI
    ? [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]]
    : 'list',
  outputDir: demo ? 'demo-output/artefacts' : 'test-results',
  use: {
    browserName: 'chromium',
    // The workshop's frames (docs/workshop/img) are 1440 px wide.
    ...(workshopScreenshotsWanted() ? { viewport: WORKSHOP_VIEWPORT } : {}),
    headless: !(demo && hasDisplay),
    trace: demo ? 'on' : 'retain-on-failure',
    video: recordVideo ? 'on' : 'off',
    screenshot: demo ? 'on' : 'only-on-failure',
    launchOptions: chromiumLaunchOptions(),
  },
});
