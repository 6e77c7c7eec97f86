// A real directory and a real bank-op, in-process on free ports with their own data folder, reached
// over real TLS with the sandbox CA — the way the TPP and bank-api reach them.
import path from 'node:path';
import { type BankStore, openBankStore } from '@fapi-sandbox/bank-domain';
import { type RunningDirectory, startDirectory } from '@fapi-sandbox/directory';
import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createDirectoryClient, type DirectoryClient } from '@fapi-sandbox/fapi-core/directory-client';
import { captureLogs, type LogLine } from '@fapi-sandbox/fapi-core/log-capture';
import { isolatedConfig, removeTestData } from '@fapi-sandbox/fapi-core/testing';
import { createSandboxAgent, transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import { type Agent, fetch, type RequestInit, type Response } from 'undici';
import { type BankOpOptions, type RunningBankOp, startBankOp } from '../../src/index.js';

export interface Sandbox {
  config: SandboxConfig;
  directory: RunningDirectory;
  bankOp: RunningBankOp;
  /** The bank's domain, opened on the same file as bank-op (as bank-api does). */
  bank: BankStore;
  directoryClient: DirectoryClient;
  /** What the parties logged, parsed (fapi-core/log lines). */
  logs: LogLine[];
  /** Trusts the sandbox CA, presents no certificate. */
  plain: Agent;
  /** Presents the participant's transport certificate. */
  transport(participant: Participant): Agent;
  /** An admin call to the directory (suspend software, revoke certificates). */
  directoryAdmin(method: string, path: string, body?: unknown): Promise<Response>;
  restartBankOp(): Promise<void>;
  close(): Promise<void>;
}

export async function startSandbox(
  options: { bankOp?: Omit<BankOpOptions, 'config' | 'log' | 'directoryClient'> } = {},
): Promise<Sandbox> {
  const config = await isolatedConfig();
  const captured = captureLogs();
  const logs = captured.lines;
  const directory = await startDirectory({ config, log: captured.logOf('directory') });
  const plain = createSandboxAgent({}, config);
  const directoryClient = createDirectoryClient({ config, dispatcher: plain });
  // bank-op builds its own directory client, as in production: status answers reused for their max-age.
  const start = () => startBankOp({ config, log: captured.logOf('bank-op'), ...options.bankOp });
  const agents = new Map<string, Agent>();

  const sandbox: Sandbox = {
    config,
    directory,
    bankOp: await start(),
    bank: await openBankStore({
      file: path.join(config.dataDir, 'bank', 'bank.sqlite'),
      url: config.databaseUrl,
    }),
    directoryClient,
    logs,
    plain,
    transport(participant) {
      let agent = agents.get(participant.slug);
      if (!agent) {
        agent = transportAgentFor(participant, config);
        agents.set(participant.slug, agent);
      }
      return agent;
    },
    directoryAdmin(method, adminPath, body) {
      const init: RequestInit = {
        method,
        dispatcher: plain,
        headers: {
          authorization: `Bearer ${directory.adminCredential}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      };
      return fetch(`${config.directory.web.origin}${adminPath}`, init);
    },
    async restartBankOp() {
      await sandbox.bankOp.stop();
      sandbox.bankOp = await start();
    },
    async close() {
      await sandbox.bankOp.stop();
      await sandbox.directory.stop();
      await sandbox.bank.close();
      await Promise.all([plain.close(), ...[...agents.values()].map((agent) => agent.close())]);
      removeTestData(config);
    },
  };
  return sandbox;
}
