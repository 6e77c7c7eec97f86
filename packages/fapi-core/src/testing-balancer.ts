// Replicas of a party behind one address, for tests of what they share: each replica listens on a port
// of its own, and a TCP pass-through balancer on the party's configured port hands each new connection
// to the replica the test names. TLS (mTLS included) runs end to end between client and replica, so
// every certificate check is the replica's own; the balancer only chooses where the bytes go.
import net from 'node:net';
import type { Listener, SandboxConfig } from './config.js';

/**
 * The same configuration (origins, issuer, audience: what a client sees) with the party's listeners
 * bound to other ports: one replica's view behind a balancer on the configured ports.
 */
export function replicaConfig(
  config: SandboxConfig,
  party: 'bankOp' | 'bankApi',
  ports: { web: number; mtls?: number },
): SandboxConfig {
  const on = (listener: Listener, port: number): Listener => ({ ...listener, port });
  const current = config[party];
  const web = on(current.web, ports.web);
  // bank-api's one listener is both its web and its mTLS listener.
  const mtls =
    !current.mtls || current.mtls === current.web ? web : on(current.mtls, ports.mtls ?? ports.web);
  return { ...config, [party]: { ...current, web, mtls } };
}

export interface Balancer {
  /** New connections go to `backends[index]`; open ones are closed so that clients reconnect there. */
  routeTo(index: number): Promise<void>;
  /** Connections handed to each backend so far: a test sees that a replica really served. */
  readonly connections: readonly number[];
  stop(): Promise<void>;
}

export async function startBalancer(
  front: Pick<Listener, 'port' | 'address'>,
  backends: readonly number[],
): Promise<Balancer> {
  let target = 0;
  const connections = backends.map(() => 0);
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const backend = net.connect(backends[target]!, '127.0.0.1');
    connections[target] = (connections[target] ?? 0) + 1;
    for (const socket of [client, backend]) {
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      socket.on('error', () => {
        client.destroy();
        backend.destroy();
      });
    }
    client.pipe(backend).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(front.port, front.address, () => resolve());
  });
  const closeOpen = async () => {
    const closing = [...open].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
    for (const socket of open) socket.destroy();
    await Promise.all(closing);
    // Let clients see their sockets close before they send on them again.
    await new Promise((resolve) => setTimeout(resolve, 20));
  };
  return {
    connections,
    async routeTo(index) {
      if (backends[index] === undefined) throw new RangeError(`no backend ${index}`);
      target = index;
      await closeOpen();
    },
    async stop() {
      await closeOpen();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
