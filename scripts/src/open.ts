// `pnpm open`: a Chromium window, with a profile of its own, that trusts the sandbox's servers and
// nothing more, opened on the TPP. For those who would rather not add the root CA to their trust store.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { chromiumTrustArgs } from './browser-trust.js';
import { readCommandLine } from './command-line.js';

const USAGE = 'usage: pnpm open [url]   (the TPP when no url is given)';
const { positionals } = readCommandLine(USAGE, { options: {}, positionals: 1 });
const [asked] = positionals;
if (asked !== undefined && !URL.canParse(asked)) {
  console.error(`'${asked}' is not a URL\n${USAGE}`);
  process.exit(2);
}

const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
].filter((candidate): candidate is string => Boolean(candidate));

const executable = CANDIDATES.find((candidate) => fs.existsSync(candidate));
if (!executable) {
  console.error('No Chromium or Chrome found. Install one, or set CHROMIUM_PATH to its executable.');
  process.exit(1);
}

const config = sandboxConfig();
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'fapi-sandbox-browser-'));
const url = asked ?? config.tpp.web.origin;
const child = spawn(
  executable,
  [
    `--user-data-dir=${profile}`,
    '--no-first-run',
    '--no-default-browser-check',
    ...chromiumTrustArgs(config),
    url,
  ],
  { stdio: 'ignore', detached: true },
);
child.unref();
console.log(`Opened ${url} in ${executable}, trusting only the sandbox's server keys (profile: ${profile}).`);
