// Every party of the sandbox in this one process, on free ports with their own data folder
// (isolatedConfig), started one after the other in `pnpm dev`'s order and timed until each /health answers.
import type { PartyName, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createLogger, type Logger } from '@fapi-sandbox/fapi-core/log';
import { waitUntilHealthy } from '../dev/wait-ready.js';
import { timed } from './stats.js';

export type TppWebMode = 'vite' | 'dist' | 'none';

interface Stoppable {
  stop(): Promise<void>;
}

/** The four apps' start functions, loaded on demand so that loading them can be timed. */
export interface PartyModules {
  startDirectory(options: { config: SandboxConfig; log: Logger }): Promise<Stoppable>;
  startBankOp(options: { config: SandboxConfig; log: Logger }): Promise<Stoppable>;
  startBankApi(options: { config: SandboxConfig; log: Logger }): Promise<Stoppable>;
  startTpp(options: { config: SandboxConfig; log: Logger; web?: TppWebMode }): Promise<Stoppable>;
  /** How long importing each app took, in load order (the first also loads what they share). */
  importMs: Record<PartyName, number>;
}

export async function loadPartyModules(): Promise<PartyModules> {
  const directory = await timed(() => import('@fapi-sandbox/directory'));
  const bankOp = await timed(() => import('@fapi-sandbox/bank-op'));
  const bankApi = await timed(() => import('@fapi-sandbox/bank-api'));
  const tpp = await timed(() => import('@fapi-sandbox/tpp'));
  return {
    startDirectory: directory.value.startDirectory,
    startBankOp: bankOp.value.startBankOp,
    startBankApi: bankApi.value.startBankApi,
    startTpp: tpp.value.startTpp,
    importMs: { directory: directory.ms, 'bank-op': bankOp.ms, 'bank-api': bankApi.ms, tpp: tpp.ms },
  };
}

export interface PartyStartup {
  party: PartyName;
  /** From calling start<App>() until its /health answered 200 over TLS. */
  readyMs: number;
}

export interface RunningSandbox {
  config: SandboxConfig;
  startups: PartyStartup[];
  /** From the first start call until the last party was healthy. */
  totalMs: number;
  /** What the parties logged (kept out of the report). */
  logs: string[];
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Start the TPP too (the flow client does not need it). Default true. */
  tpp?: boolean;
  /** How the TPP serves its React app; `pnpm dev` uses Vite unless apps/tpp/dist was built. */
  tppWeb?: TppWebMode;
}

/** Starts directory, bank-op, bank-api (and the TPP) on `config`, each timed until healthy. */
export async function startSandbox(
  modules: PartyModules,
  config: SandboxConfig,
  options: StartOptions = {},
): Promise<RunningSandbox> {
  const logs: string[] = [];
  const logOf = (party: PartyName) =>
    createLogger(party, { level: 'info', destination: { write: (line: string) => void logs.push(line) } });
  const running: Stoppable[] = [];
  const startups: PartyStartup[] = [];
  const stop = async () => {
    for (const party of running.reverse()) await party.stop();
  };

  const start = async (party: PartyName, url: string, starter: () => Promise<Stoppable>) => {
    const { ms } = await timed(async () => {
      running.push(await starter());
      await waitUntilHealthy(url, config, { timeoutMs: 30_000, isAlive: () => true });
    });
    startups.push({ party, readyMs: ms });
  };

  const began = performance.now();
  try {
    await start('directory', `${config.directory.web.origin}/health`, () =>
      modules.startDirectory({ config, log: logOf('directory') }),
    );
    await start('bank-op', `${config.bankOp.web.origin}/health`, () =>
      modules.startBankOp({ config, log: logOf('bank-op') }),
    );
    await start('bank-api', `${config.bankApi.web.origin}/health`, () =>
      modules.startBankApi({ config, log: logOf('bank-api') }),
    );
    if (options.tpp !== false) {
      await start('tpp', `${config.tpp.web.origin}/health`, () =>
        modules.startTpp({ config, log: logOf('tpp'), ...(options.tppWeb ? { web: options.tppWeb } : {}) }),
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { config, startups, totalMs: performance.now() - began, logs, stop };
}
