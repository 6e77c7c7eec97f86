// Which Chromium the e2e suite drives: Playwright's own build where it is installed, otherwise the
// system's (Debian's `chromium` package on CI), or the one named by CHROMIUM_PATH.
import fs from 'node:fs';
import { chromium } from '@playwright/test';

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
