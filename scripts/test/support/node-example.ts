// Driving examples/node-openid-client as a learner does: a bundle from the developer portal, the command
// line in a child process, and the customer who allows access in "a browser" that lands on the example's
// own https listener.
import fs from 'node:fs';
import path from 'node:path';
import { CustomerBrowser } from '@fapi-sandbox/fapi-client/customer';
import type { ClientBundle } from '@fapi-sandbox/fapi-core/client-bundle';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { workerPort } from '@fapi-sandbox/fapi-core/testing';
import { Agent, fetch } from 'undici';
import { expect } from 'vitest';
import { startCallbackListener } from '../../../examples/node-openid-client/src/callback-listener.js';
import { createLearnerBundle } from './learner-bundle.js';
import { demoCustomer } from './parties.js';
import { type CommandOptions, type CommandResult, runCommand } from './run-command.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../../../examples/node-openid-client');

export async function learnerBundle(
  config: SandboxConfig,
): Promise<{ bundle: ClientBundle; redirectUri: string }> {
  const redirectUri = `https://localhost:${await workerPort()}/callback`;
  return { bundle: await createLearnerBundle(config, { redirectUris: [redirectUri] }), redirectUri };
}

/** The example's command line in a child process, as a learner runs it. */
export function runCli(args: string[], onOutput?: CommandOptions['onOutput']): Promise<CommandResult> {
  return runCommand(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: EXAMPLE,
    ...(onOutput ? { onOutput } : {}),
  });
}

export function writeBundle(config: SandboxConfig, bundle: ClientBundle, name: string): string {
  const file = path.join(config.dataDir, name);
  fs.writeFileSync(file, JSON.stringify(bundle));
  return file;
}

/**
 * The customer at the bank allows access; the browser lands on the example's own https listener.
 * `beforeVisit` sees (and may change) the authorization URL first.
 */
export function customerAllows(
  config: SandboxConfig,
  redirectUri: string,
  bankBrowser: Agent,
  beforeVisit?: (url: URL) => Promise<void> | void,
) {
  return async (url: URL) => {
    await beforeVisit?.(url);
    const listener = await startCallbackListener(redirectUri);
    const browser = new Agent({ connect: { ca: listener.certificatePem } });
    try {
      const back = await new CustomerBrowser({
        dispatcher: bankBrowser,
        bank: config.bankOp.issuer,
      }).authorize(url, demoCustomer());
      if (back.kind !== 'redirect')
        throw new Error(`the bank stopped on ${back.url}: ${back.html.slice(0, 300)}`);
      // The browser follows the bank's redirect to the example's own https listener.
      expect((await fetch(back.url, { dispatcher: browser })).status).toBe(200);
      return await listener.received;
    } finally {
      await browser.close();
      await listener.close();
    }
  };
}
