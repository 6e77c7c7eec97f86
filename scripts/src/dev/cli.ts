// `pnpm dev`: generate the PKI if needed, start every party, wait until each is healthy, print the
// ready table. A party whose process ends unasked is reported (party, exit, last lines) and, in watch
// mode, restarted; it also restarts when its sources change. `--no-watch` (e2e and CI) is fail-fast:
// such an exit stops every party and `pnpm dev` exits 1. Ctrl-C stops every party and exits 0.
// `--replicas N` runs bank-op and bank-api as N processes each behind one address (replicas.ts).
import fs from 'node:fs';
import { redisAddressOf, sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { type RunningRedisServer, startRedisServer } from '@fapi-sandbox/fapi-core/redis-server';
import type { TcpBalancer } from '@fapi-sandbox/fapi-core/tcp-balancer';
import { readCommandLine } from '../command-line.js';
import { ensurePki, generatedNotice } from '../pki/ensure.js';
import { demoCustomers } from './demo-customers.js';
import { exitReport } from './exit-report.js';
import { startableParties } from './parties.js';
import { renderReadyTable } from './ready-table.js';
import {
  freePort,
  parseReplicas,
  replicaPortsFor,
  startBalancers,
  supervisedProcesses,
  trustedProxyRefusal,
} from './replicas.js';
import { Supervisor } from './supervisor.js';
import { waitUntilHealthy } from './wait-ready.js';
import { ensureWebBuild, type WebBuild } from './web-build.js';

const USAGE = 'usage: pnpm dev [--no-watch] [--hmr] [--replicas N]';
const { values } = readCommandLine(USAGE, {
  options: {
    watch: { type: 'boolean', default: true },
    hmr: { type: 'boolean', default: false },
    replicas: { type: 'string', default: '1' },
  },
});
const { watch, hmr } = values;
const replicas = parseReplicas(values.replicas);
if (typeof replicas !== 'number') {
  console.error(`${replicas.refused}\n${USAGE}`);
  process.exit(2);
}
const proxyRefusal = replicas > 1 ? trustedProxyRefusal(process.env) : undefined;
if (proxyRefusal) {
  console.error(proxyRefusal);
  process.exit(2);
}
const config = sandboxConfig();
const started = performance.now();

const pki = await ensurePki(config);
if (pki.action === 'generated') console.log(generatedNotice(config, pki));

const replicaPorts = replicas > 1 ? await replicaPortsFor(config, replicas) : undefined;
const processes = supervisedProcesses(startableParties(config), replicaPorts);
let redis: RunningRedisServer | undefined;
let balancers: TcpBalancer[] = [];
if (replicaPorts) {
  try {
    // Replicas share what a flow needs in Redis: the one REDIS_URL names, or a local one for this run.
    if (!config.redisUrl) redis = await startRedisServer(await freePort('127.0.0.1'));
    balancers = await startBalancers(config, replicaPorts);
  } catch (err) {
    console.error(`\n--replicas ${replicas} could not start: ${(err as Error).message}`);
    await redis?.stop();
    process.exit(1);
  }
}
let shuttingDown = false;
const supervisor = new Supervisor(
  processes.map((p) => p.name),
  {
    watch,
    repoRoot: config.repoRoot,
    // The TPP serves the web build this launcher keeps fresh, or with --hmr Vite's development server.
    env: {
      ...process.env,
      FAPI_TPP_WEB: hmr ? 'vite' : 'dist',
      ...(redis ? { REDIS_URL: redis.url } : {}),
    },
    onUnexpectedExit: (exit) => {
      if (shuttingDown) return;
      console.error(exitReport(exit));
      if (!watch) void shutdown(1);
    },
    onRestarted: (name) => void reportWhenHealthy(name),
  },
);

/** Stops every party; a second Ctrl-C (the terminal and pnpm both send one) changes nothing. */
async function shutdown(code: number): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  if (code === 0) console.log('\nStopping every party…');
  await supervisor.stopAll();
  await Promise.all(balancers.map((balancer) => balancer.stop()));
  await redis?.stop();
  if (code === 0) console.log('Every party stopped.');
  process.exit(code);
}
// The parties run in process groups of their own (Ctrl-C reaches only this process), so every way this
// process ends must stop them: the signals stop them gracefully; any other exit kills them at once.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void shutdown(0));
process.on('exit', () => {
  supervisor.killAll();
  redis?.kill();
});

/** After a restart, say when the party answers again (or nothing: its next exit is reported). */
async function reportWhenHealthy(name: string): Promise<void> {
  const party = processes.find((p) => p.name === name);
  if (!party) return;
  try {
    await waitUntilHealthy(party.healthUrl, config, {
      timeoutMs: 60_000,
      isAlive: () => supervisor.isRunning(name),
    });
    if (!shuttingDown) console.log(`${name} is healthy again: ${party.healthUrl}`);
  } catch {
    // It exited or never answered: the exit report says why.
  }
}

function reportWebBuild(build: WebBuild): void {
  if (build.action === 'built') {
    console.log(`Built the TPP's web app in ${(build.ms / 1000).toFixed(1)} s (its sources changed).`);
  }
}

const perPartyMs: Record<string, number> = {};
// All parties start at once: none needs another to boot (each fetches what it trusts when first asked).
await Promise.all(
  processes.map(async ({ name, party, dir, healthUrl, env }) => {
    try {
      await supervisor.start(
        name,
        dir,
        party.name === 'tpp' && !hmr
          ? { prepare: () => ensureWebBuild(config.repoRoot).then(reportWebBuild), watchWebSources: true }
          : { env },
      );
      perPartyMs[name] = await waitUntilHealthy(healthUrl, config, {
        timeoutMs: 60_000,
        // In watch mode a party that dies while booting is restarted: keep waiting for it.
        isAlive: () => watch || supervisor.isRunning(name),
      });
    } catch (err) {
      if (shuttingDown) return;
      console.error(`\n${name} did not become ready: ${(err as Error).message}`);
      await shutdown(1);
    }
  }),
);
if (shuttingDown) await new Promise(() => {});

const readSecret = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : undefined);
const adminCredential = readSecret(config.directory.adminCredentialFile);
console.log(
  renderReadyTable(config, {
    startupMs: performance.now() - started,
    perPartyMs,
    adminCredential,
    inviteCode: readSecret(config.directory.inviteCodeFile),
    demoCustomers: demoCustomers(),
    replicas: processes.flatMap(({ name, replica }) =>
      replica ? [{ name, pid: supervisor.pidOf(name), ports: replica.ports }] : [],
    ),
    ...(replicaPorts
      ? {
          redis: redis
            ? `${redis.url}, a redis-server pnpm dev started for this run (no persistence; stopped with the sandbox)`
            : `REDIS_URL (${redisAddressOf(config.redisUrl!)})`,
        }
      : {}),
  }),
);
