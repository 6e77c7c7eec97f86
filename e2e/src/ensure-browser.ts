// Makes sure a Chromium is there before the e2e suite runs. Playwright's own browser download needs
// the internet; on Debian or Ubuntu as root, the distribution's `chromium` package is installed instead.
import {
  canInstallDebianPackages,
  installDebianPackages,
} from '@fapi-sandbox/scripts/services/debian-packages';
import { hasAnyChromium } from './browser.js';

if (hasAnyChromium()) process.exit(0);

if (canInstallDebianPackages()) {
  console.log("No Chromium found: installing Debian's chromium package (apt-get install chromium).");
  installDebianPackages(['chromium']);
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
