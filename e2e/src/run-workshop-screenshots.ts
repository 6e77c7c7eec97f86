// `pnpm --filter @fapi-sandbox/e2e run workshop:screenshots`: runs only the scenarios that produce the
// workshop's images (WORKSHOP_SHOTS), headless, with WORKSHOP_SCREENSHOTS=1, so docs/workshop/img is current.
import { spawnSync } from 'node:child_process';
import { WORKSHOP_SHOTS } from './workshop-screenshots.js';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const specs = [...new Set(WORKSHOP_SHOTS.map((shot) => `tests/${shot.spec}`))];
const tests = [...new Set(WORKSHOP_SHOTS.map((shot) => escapeRegExp(shot.test)))];

const run = spawnSync('playwright', ['test', ...specs, '--grep', tests.join('|'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, WORKSHOP_SCREENSHOTS: '1' },
});
process.exit(run.status ?? 1);
