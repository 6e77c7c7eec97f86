// The parties a client talks to, started in-process on an isolated configuration: the directory, the
// bank's authorization server and its resource server.
import { startBankApi } from '@fapi-sandbox/bank-api';
import { demoCustomer } from '@fapi-sandbox/bank-domain';
import { startBankOp } from '@fapi-sandbox/bank-op';
import { startDirectory } from '@fapi-sandbox/directory';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { isolatedConfig, removeTestData } from '@fapi-sandbox/fapi-core/testing';
import { afterAll, beforeAll } from 'vitest';

export interface Stoppable {
  stop(): Promise<void>;
}

export async function startParties(config: SandboxConfig): Promise<Stoppable[]> {
  const running: Stoppable[] = [];
  try {
    running.push(await startDirectory({ config }));
    running.push(await startBankOp({ config }));
    running.push(await startBankApi({ config }));
  } catch (err) {
    for (const party of running.reverse()) await party.stop();
    throw err;
  }
  return running;
}

/**
 * The parties of one test file: started on an isolated configuration before its tests, stopped and their
 * data removed after them. `onStarted` hands the test file its configuration (and the parties, in start order).
 */
export function useRunningParties(onStarted: (config: SandboxConfig, running: Stoppable[]) => void): void {
  let config: SandboxConfig | undefined;
  let running: Stoppable[] = [];
  beforeAll(async () => {
    config = await isolatedConfig();
    running = await startParties(config);
    onStarted(config, running);
  }, 30_000);
  afterAll(async () => {
    for (const party of running.reverse()) await party.stop();
    if (config) removeTestData(config);
  });
}

export { demoCustomer };
