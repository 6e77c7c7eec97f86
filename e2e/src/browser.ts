// Which Chromium the e2e suite drives: Playwright's own build where it is installed, otherwise the
// system's (Debian's `chromium` package on CI), or the one named by CHROMIUM_PATH.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { chromiumTrustArgs } from '@fapi-sandbox/scripts/browser-trust';
import { chromium, type LaunchOptions } from '@playwright/test';

const SYSTEM_CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function chromiumExecutable(): string | undefined {
  const explicit = process.env.CHROMIUM_PATH;
  if (explicit) return fs.existsSync(explicit) ? explicit : undefined;
  try {
    const bundled = chromium.executablePath();
    if (bundled && fs.existsSync(bundled)) return undefined; // Playwright finds its own build by itself.
  } catch {
    // No bundled browser registered: fall through to the system's.
  }
  return SYSTEM_CHROMIUM.find((candidate) => fs.existsSync(candidate));
}

export function hasAnyChromium(): boolean {
  if (process.env.CHROMIUM_PATH) return fs.existsSync(process.env.CHROMIUM_PATH);
  try {
    if (fs.existsSync(chromium.executablePath())) return true;
  } catch {
    // Not installed through Playwright.
  }
  return SYSTEM_CHROMIUM.some((candidate) => fs.existsSync(candidate));
}

/**
 * Playwright records video with an ffmpeg build of its own (`playwright install ffmpeg`), which needs
 * the internet; without it a demo still saves a trace (with its screencast) and a screenshot per step.
 */
export function canRecordVideo(): boolean {
  const root =
    process.env.PLAYWRIGHT_BROWSERS_PATH ||
    path.join(
      os.homedir(),
      process.platform === 'darwin' ? 'Library/Caches/ms-playwright' : '.cache/ms-playwright',
    );
  if (!fs.existsSync(root)) return false;
  return fs.readdirSync(root).some((entry) => entry.startsWith('ffmpeg'));
}

/** How every scenario's Chromium starts; `extraArgs` for a scenario that needs more (host resolver rules). */
export function chromiumLaunchOptions(extraArgs: string[] = []): LaunchOptions {
  const executablePath = chromiumExecutable();
  return {
    ...(executablePath ? { executablePath } : {}),
    slowMo: process.env.FAPI_DEMO === '1' ? 700 : 0,
    args: [
      // The browser trusts exactly the sandbox's server keys (the same mechanism as `pnpm open`).
      ...chromiumTrustArgs(sandboxConfig()),
      // No calls home: this machine (and many workshop networks) has no internet.
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
  };
}
