// Makes sure a Chromium is there before the e2e suite runs. Playwright's own browser download needs
// the internet; on Debian or Ubuntu as root, the distribution's `chromium` package is installed instead.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { hasAnyChromium } from './browser.js';

function run(command: string, args: string[]): void {
  execFileSync(command, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
}

if (hasAnyChromium()) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (process.platform === 'linux' && fs.existsSync('/usr/bin/apt-get') && isRoot) {
  console.log("No Chromium found: installing Debian's chromium package (apt-get install chromium).");
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', 'chromium']);
  if (hasAnyChromium()) process.exit(0);
}

console.error(
  [
    'The e2e suite needs Chromium and none was found. Either:',
    "  - pnpm --filter @fapi-sandbox/e2e exec playwright install chromium   (Playwright's own build), or",
    "  - install your system's Chromium (Debian/Ubuntu: sudo apt-get install chromium), or",
    '  - set CHROMIUM_PATH to a Chromium or Chrome executable.',
  ].join('\n'),
);
process.exit(1);
