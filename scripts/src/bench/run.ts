// The whole benchmark, section by section, on loopback with bounded loops: it stops by itself and leaves
// nothing running. Progress goes to `progress` (stderr in the CLI); the figures come back as one object.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoCustomer } from '@fapi-sandbox/bank-domain';
import { FapiFlowClient, FLOW_VARIANTS } from '@fapi-sandbox/fapi-client';
import type { Customer } from '@fapi-sandbox/fapi-client/customer';
import type { PartyName, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { isolatedConfig, removeTestData } from '@fapi-sandbox/fapi-core/testing';
import { type PartyMemory, partyMemory, startChildParties } from './child-parties.js';
import { benchFlow, type FlowBenchResult, runFlowOnce } from './flows.js';
import { benchPki, type PkiResult } from './pki.js';
import { loadPartyModules, type PartyStartup, type RunningSandbox, startSandbox } from './sandbox.js';
import { mebibytes } from './stats.js';
import { benchThroughput, type ThroughputResult } from './throughput.js';

export interface BenchSettings {
  mode: 'full' | 'quick';
  pkiRuns: number;
  flowRuns: number;
  loadCount: number;
  concurrencies: number[];
}

export function settingsFor(quick: boolean): BenchSettings {
  return quick
    ? { mode: 'quick', pkiRuns: 1, flowRuns: 2, loadCount: 50, concurrencies: [1, 8] }
    : { mode: 'full', pkiRuns: 3, flowRuns: 20, loadCount: 500, concurrencies: [1, 8] };
}

export interface StartupRun {
  parties: PartyStartup[];
  totalMs: number;
}

export interface MemoryFigures {
  rssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
}

export interface BenchReport {
  generatedAt: string;
  settings: BenchSettings;
  machine: {
    node: string;
    platform: string;
    arch: string;
    cpus: number;
    cpuModel: string;
    memoryMiB: number;
  };
  pki: PkiResult;
  startup: {
    /** How the in-process TPP served its React app. */
    tppWeb: string;
    /** Importing each app (tsx transpiles on first load), in load order. */
    importMs: Record<PartyName, number>;
    /** In this process, one after the other, on a fresh data folder (the bank and directory seed it). */
    cold: StartupRun;
    /** In this process again, after stopping, on the same data folder (nothing to seed). */
    warm: StartupRun;
    /** `pnpm dev`'s way: one `tsx src/main.ts` child per party, all at once, fresh data folder. */
    childProcesses: StartupRun | { skipped: string };
  };
  flows: FlowBenchResult[];
  throughput: ThroughputResult;
  memory: {
    /** This process with all four parties in it, after the flows and the load (no forced GC). */
    inProcess: MemoryFigures;
    /** Each party as its own process, after one journey per way of connecting. */
    childProcesses: (PartyMemory & { totalKiB: number })[] | { skipped: string };
  };
}

/**
 * Free ports and a fresh data folder, removed by `remove()` or, should the benchmark be interrupted,
 * when the process exits.
 */
async function temporaryConfig(): Promise<SandboxConfig & { remove(): void }> {
  const config = await isolatedConfig();
  const remove = () => {
    removeTestData(config);
    process.off('exit', remove);
  };
  process.on('exit', remove);
  return Object.assign(config, { remove });
}

function machine(): BenchReport['machine'] {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: process.platform,
    arch: process.arch,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryMiB: Math.round(mebibytes(os.totalmem())),
  };
}

/** What `pnpm dev` serves the TPP's React app with (apps/tpp/src/web-serving.ts decides the same way). */
function tppWebMode(config: SandboxConfig): string {
  const chosen = process.env.FAPI_TPP_WEB;
  if (chosen) return chosen;
  const built = fs.existsSync(path.join(config.repoRoot, 'apps', 'tpp', 'dist', 'index.html'));
  return built ? 'dist (prebuilt apps/tpp/dist)' : 'vite (middleware mode)';
}

function inProcessMemory(): MemoryFigures {
  const usage = process.memoryUsage();
  return {
    rssMiB: mebibytes(usage.rss),
    heapUsedMiB: mebibytes(usage.heapUsed),
    heapTotalMiB: mebibytes(usage.heapTotal),
    externalMiB: mebibytes(usage.external),
  };
}

const startupRun = (sandbox: RunningSandbox): StartupRun => ({
  parties: sandbox.startups,
  totalMs: sandbox.totalMs,
});

export async function runBenchmark(
  settings: BenchSettings,
  progress: (line: string) => void,
): Promise<BenchReport> {
  const customer = demoCustomer();

  progress(`PKI generation, ${settings.pkiRuns} run(s)`);
  const pki = await benchPki(settings.pkiRuns);

  progress('Loading the four apps');
  const modules = await loadPartyModules();
  const config = await temporaryConfig();
  try {
    progress('Cold start in this process (fresh data folder)');
    const cold = await startSandbox(modules, config);
    await cold.stop();
    progress('Warm start in this process (same data folder)');
    const sandbox = await startSandbox(modules, config);
    let flows: FlowBenchResult[];
    let throughput: ThroughputResult;
    let inProcess: MemoryFigures;
    try {
      flows = [];
      for (const variant of FLOW_VARIANTS) {
        progress(`Consent-to-API journey ×${settings.flowRuns}: ${variant.title}`);
        flows.push(await benchFlow(config, variant, customer, settings.flowRuns));
      }
      progress(
        `bank-api load: ${settings.loadCount} requests at concurrency ${settings.concurrencies.join(', ')}`,
      );
      throughput = await benchThroughput(config, customer, {
        count: settings.loadCount,
        concurrencies: settings.concurrencies,
      });
      inProcess = inProcessMemory();
    } finally {
      await sandbox.stop();
    }

    const children = await benchChildProcesses(customer, progress);
    return {
      generatedAt: new Date().toISOString(),
      settings,
      machine: machine(),
      pki,
      startup: {
        tppWeb: tppWebMode(config),
        importMs: modules.importMs,
        cold: startupRun(cold),
        warm: startupRun(sandbox),
        childProcesses: children.startup,
      },
      flows,
      throughput,
      memory: { inProcess, childProcesses: children.memory },
    };
  } finally {
    config.remove();
  }
}

async function benchChildProcesses(
  customer: Customer,
  progress: (line: string) => void,
): Promise<{
  startup: BenchReport['startup']['childProcesses'];
  memory: BenchReport['memory']['childProcesses'];
}> {
  if (process.platform !== 'linux') {
    const skipped = `memory is read from /proc/<pid>/status, which ${process.platform} does not have`;
    return { startup: { skipped }, memory: { skipped } };
  }
  progress('Child processes (tsx src/main.ts per party, as pnpm dev starts them)');
  const config = await temporaryConfig();
  try {
    const sandbox = await startChildParties(config);
    try {
      // Warm-up: one journey per way of connecting, so every party has served real work.
      for (const variant of FLOW_VARIANTS) {
        const client = await FapiFlowClient.connect({ config, variant });
        try {
          await runFlowOnce(client, customer);
        } finally {
          await client.close();
        }
      }
      const memory = sandbox.parties.map((party) => {
        const figures = partyMemory(party);
        return { ...figures, totalKiB: figures.appKiB + figures.helpersKiB };
      });
      return {
        startup: {
          parties: sandbox.parties.map((p) => ({ party: p.party, readyMs: p.readyMs })),
          totalMs: sandbox.totalMs,
        },
        memory,
      };
    } finally {
      await sandbox.stop();
    }
  } finally {
    config.remove();
  }
}

export { demoCustomer };
