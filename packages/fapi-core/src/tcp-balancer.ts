// Replicas of a party behind one address: a TCP pass-through balancer on the party's configured listener
// hands each new connection to the next replica in turn (round robin). It never terminates TLS: the bytes
// of the handshake go through untouched, so mutual TLS runs end to end between client and replica and
// every certificate check is the replica's own; no header is ever added, so there is none to spoof.
// A replica that refuses a connection (killed, restarting) is skipped: the client's connection goes to the
// next one, and the refusing replica is tried again for new connections only after a short rest.
import net from 'node:net';
import type { Listener } from './config.js';

/** How long a replica that refused a connection is left out of the rotation. */
const REST_AFTER_REFUSAL_MS = 1000;

export interface TcpBalancer {
  /** Connections handed to each backend so far: a test sees that a replica really served. */
  readonly connections: readonly number[];
  /**
   * Sends every new connection to `backends[index]` (no round robin, no skipping), or back to round robin
   * with `undefined`: for tests that choose the replica.
   */
  pin(index: number | undefined): void;
  /** Closes every connection in flight (clients reconnect, through the balancer again). */
  closeOpen(): Promise<void>;
  stop(): Promise<void>;
}

export interface TcpBalancerOptions {
  /** Where clients connect: the party's configured listener. */
  front: Pick<Listener, 'port' | 'address'>;
  /** The replicas' ports, on `backendAddress`. */
  backends: readonly number[];
  /** Where the replicas listen; loopback by default. */
  backendAddress?: string;
}

/** A replica bound to every address is reached on loopback. */
export function reachableAddress(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '::1';
  return address;
}

export async function startTcpBalancer(options: TcpBalancerOptions): Promise<TcpBalancer> {
  const { front, backends } = options;
  if (backends.length === 0) throw new RangeError('a balancer needs at least one backend');
  const host = reachableAddress(options.backendAddress ?? '127.0.0.1');
  const connections = backends.map(() => 0);
  const restingUntil = backends.map(() => 0);
  const open = new Set<net.Socket>();
  let next = 0;
  let pinned: number | undefined;

  /** The order to try the backends in for one connection: live ones from the next in turn, resting ones last. */
  const candidates = (): number[] => {
    if (pinned !== undefined) return [pinned];
    const start = next;
    next = (next + 1) % backends.length;
    const order = backends.map((_, i) => (start + i) % backends.length);
    const now = Date.now();
    return [...order.filter((i) => restingUntil[i]! <= now), ...order.filter((i) => restingUntil[i]! > now)];
  };

  const track = (socket: net.Socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  };

  /** Connects to the first candidate that accepts; the client's bytes wait (paused) meanwhile. */
  const relay = (client: net.Socket, order: number[]): void => {
    const index = order.shift();
    if (index === undefined) {
      client.destroy();
      return;
    }
    const backend = net.connect(backends[index]!, host);
    const refused = () => {
      restingUntil[index] = Date.now() + REST_AFTER_REFUSAL_MS;
      backend.destroy();
      if (!client.destroyed) relay(client, order);
    };
    backend.once('error', refused);
    backend.once('connect', () => {
      backend.off('error', refused);
      if (client.destroyed) {
        backend.destroy();
        return;
      }
      connections[index] = (connections[index] ?? 0) + 1;
      track(backend);
      // After the hand-over, either side ending ends both: a killed replica's clients see their
      // connection close and open a new one, which goes to a live replica.
      for (const socket of [client, backend]) {
        socket.on('error', () => {
          client.destroy();
          backend.destroy();
        });
        socket.once('close', () => {
          client.destroy();
          backend.destroy();
        });
      }
      client.pipe(backend).pipe(client);
    });
  };

  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    track(client);
    client.on('error', () => client.destroy());
    relay(client, candidates());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(front.port, front.address, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const closeOpen = async () => {
    const closing = [...open].map((socket) => new Promise((resolve) => socket.once('close', resolve)));
    for (const socket of open) socket.destroy();
    await Promise.all(closing);
  };
  return {
    connections,
    pin(index) {
      if (index !== undefined && backends[index] === undefined) throw new RangeError(`no backend ${index}`);
      pinned = index;
    },
    closeOpen,
    async stop() {
      await closeOpen();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
