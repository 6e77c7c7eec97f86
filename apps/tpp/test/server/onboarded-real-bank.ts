// A test file's TPP against the real directory, bank-op and bank-api, onboarded (SSA and registrations)
// before its tests and closed after them.
import { afterAll, beforeAll, expect } from 'vitest';
import { realBank, type Sandbox, startSandbox } from './harness.js';

export const ALICE = { username: 'alice', password: 'wonderland' };

/** Starts and onboards the sandbox for the file; the returned function hands it to each test. */
export function onboardedRealBankForThisFile(): () => Sandbox {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox({ bank: realBank });
    const onboarded = await sandbox.browser.api('/onboarding', { method: 'POST' });
    expect(onboarded.status).toBe(200);
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  return () => sandbox!;
}
