// The React app on the TPP's own https origin: Vite in middleware mode (what pnpm dev runs).
import { isolatedConfig, removeTestData } from '@fapi-sandbox/fapi-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningTpp, startTpp } from '../../src/index.js';
import { Browser } from './harness.js';

let tpp: RunningTpp;
let browser: Browser;
let config: Awaited<ReturnType<typeof isolatedConfig>>;

beforeAll(async () => {
  config = await isolatedConfig();
  tpp = await startTpp({ config, web: 'vite' });
  browser = new Browser(config);
});
afterAll(async () => {
  await browser?.close();
  await tpp?.stop();
  removeTestData(config);
});

describe('serving the React app in development', () => {
  it('serves the app shell at / and at the pages the callback redirects to', async () => {
    for (const path of ['/', '/connections/0b1c/pay?payment=p1']) {
      const response = await browser.request(`${config.tpp.web.origin}${path}`);
      expect(response.status).toBe(200);
      expect(response.text).toMatch(/<div id="root"><\/div>/);
      expect(response.text).toMatch(/<title>Moneywise/);
    }
  });

  it('compiles the TypeScript entry for the browser', async () => {
    const response = await browser.request(`${config.tpp.web.origin}/main.tsx`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/javascript/);
    expect(response.text).toMatch(/createRoot/);
  });

  it('still answers the JSON API and the health check, not the app shell', async () => {
    expect((await browser.request(`${config.tpp.web.origin}/health`)).body).toEqual({
      status: 'ok',
      party: 'tpp',
    });
    const missing = await browser.request(`${config.tpp.web.origin}/api/nothing-here`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: 'not_found' });
  });
});
