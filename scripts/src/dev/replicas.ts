// `pnpm dev --replicas N`: bank-op and bank-api each run as N processes on ports of their own, behind the
// sandbox's TCP pass-through balancer (fapi-core/tcp-balancer.ts) on their configured listeners, so a
// client sees one address per listener and mutual TLS still runs end to end to the replica that serves
// it. The replicas share Redis (REDIS_URL, or a local redis-server started here) and the data folder.
// With N = 1 (the default) nothing of this runs: one process per party, on the configured ports.
import net from 'node:net';
import type { PartyName, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { startTcpBalancer, type TcpBalancer } from '@fapi-sandbox/fapi-core/tcp-balancer';
import type { StartableParty } from './parties.js';

/** The parties that run as replicas: the bank's; the directory and the TPP stay one process each. */
export const REPLICATED: readonly PartyName[] = ['bank-op', 'bank-api'];
/** A sandbox on a laptop or a room's host: more than this is more processes than cores to run them. */
export const MAX_REPLICAS = 8;

export interface ReplicaPorts {
  web: number;
  /** bank-op's mutual-TLS listener; bank-api's one listener is both. */
  mtls?: number;
}

/** One process the supervisor runs: a party, or one replica of it. */
export interface SupervisedProcess extends StartableParty {
  /** The supervisor's name for it: the party's own, or `<party>.<n>` for its n-th replica. */
  name: string;
  /** What makes it a replica: the ports it binds (config.ts, FAPI_<PARTY>_REPLICA_PORT). */
  env: Record<string, string>;
  replica?: { of: PartyName; ports: ReplicaPorts };
}

/** --replicas: a whole number from 1 to MAX_REPLICAS, or why not. */
export function parseReplicas(raw: string): number | { refused: string } {
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isInteger(n) && n >= 1 && n <= MAX_REPLICAS) return n;
  return { refused: `--replicas takes a whole number from 1 to ${MAX_REPLICAS} (got '${raw}')` };
}

/**
 * bank-op's trusted-proxy path cannot work behind a pass-through balancer: every connection reaches a
 * replica from the balancer's address, so trusting that address would trust a forwarded certificate
 * header from anyone, and trusting another would trust no one. Replicas verify certificates themselves.
 */
export function trustedProxyRefusal(env: NodeJS.ProcessEnv): string | undefined {
  if (!env.FAPI_BANK_OP_TRUSTED_PROXY) return undefined;
  return (
    'FAPI_BANK_OP_TRUSTED_PROXY cannot be used with --replicas: the balancer passes TLS through, so each ' +
    "replica sees every connection come from the balancer's address and verifies client certificates " +
    'itself (RFC 8705 §2). Unset it, or let the TLS-terminating proxy balance replicas you start yourself.'
  );
}

/** A port the operating system has free on `address` now. */
export function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Ports of their own for each replica, chosen once: a restarted replica binds the same ones again. */
export async function replicaPortsFor(
  config: SandboxConfig,
  replicas: number,
): Promise<Record<string, ReplicaPorts[]>> {
  const ports: Record<string, ReplicaPorts[]> = { 'bank-op': [], 'bank-api': [] };
  const taken = new Set<number>();
  const next = async (address: string) => {
    let port = await freePort(address);
    while (taken.has(port)) port = await freePort(address);
    taken.add(port);
    return port;
  };
  for (let i = 0; i < replicas; i += 1) {
    ports['bank-op']!.push({
      web: await next(config.bankOp.web.address),
      mtls: await next(config.bankOp.mtls.address),
    });
    ports['bank-api']!.push({ web: await next(config.bankApi.web.address) });
  }
  return ports;
}

/** The environment that makes a process one replica (config.ts reads it). */
function replicaEnv(of: PartyName, ports: ReplicaPorts): Record<string, string> {
  if (of === 'bank-op') {
    return {
      FAPI_BANK_OP_REPLICA_PORT: String(ports.web),
      FAPI_BANK_OP_MTLS_REPLICA_PORT: String(ports.mtls),
    };
  }
  return { FAPI_BANK_API_REPLICA_PORT: String(ports.web) };
}

/** Every process to supervise: each party once, or each replica of a replicated party. */
export function supervisedProcesses(
  parties: readonly StartableParty[],
  replicaPorts?: Record<string, ReplicaPorts[]>,
): SupervisedProcess[] {
  return parties.flatMap((startable): SupervisedProcess[] => {
    const ports = replicaPorts?.[startable.party.name];
    if (!ports || ports.length < 2) return [{ ...startable, name: startable.party.name, env: {} }];
    return ports.map((own, i) => ({
      ...startable,
      name: `${startable.party.name}.${i + 1}`,
      env: replicaEnv(startable.party.name, own),
      healthUrl: `https://${startable.party.web.host}:${own.web}/health`,
      replica: { of: startable.party.name, ports: own },
    }));
  });
}

/** A balancer on each of the replicated parties' configured listeners (bank-op's two, bank-api's one). */
export async function startBalancers(
  config: SandboxConfig,
  replicaPorts: Record<string, ReplicaPorts[]>,
): Promise<TcpBalancer[]> {
  const op = replicaPorts['bank-op']!;
  const api = replicaPorts['bank-api']!;
  const fronts = [
    { front: config.bankOp.web, backends: op.map((p) => p.web) },
    { front: config.bankOp.mtls, backends: op.map((p) => p.mtls!) },
    { front: config.bankApi.web, backends: api.map((p) => p.web) },
  ];
  const started: TcpBalancer[] = [];
  try {
    for (const { front, backends } of fronts) {
      started.push(await startTcpBalancer({ front, backends, backendAddress: front.address }));
    }
  } catch (err) {
    await Promise.all(started.map((balancer) => balancer.stop()));
    throw err;
  }
  return started;
}
