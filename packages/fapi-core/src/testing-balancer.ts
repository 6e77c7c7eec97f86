// Replicas of a party behind one address, for tests of what they share: each replica listens on a port
// of its own, and the sandbox's TCP pass-through balancer (tcp-balancer.ts) on the party's configured port
// hands each new connection to the replica the test names. TLS (mTLS included) runs end to end between
// client and replica, so every certificate check is the replica's own; the balancer only chooses where the
// bytes go.
import type { Listener } from './config.js';
import { startTcpBalancer } from './tcp-balancer.js';

export interface Balancer {
  /** New connections go to `backends[index]`; open ones are closed so that clients reconnect there. */
  routeTo(index: number): Promise<void>;
  /** New connections go to each backend in turn (round robin); open ones are closed, as by routeTo. */
  spread(): Promise<void>;
  /** Connections handed to each backend so far: a test sees that a replica really served. */
  readonly connections: readonly number[];
  stop(): Promise<void>;
}

/** The sandbox's balancer (tcp-balancer.ts), pinned by the test to the replica it names. */
export async function startBalancer(
  front: Pick<Listener, 'port' | 'address'>,
  backends: readonly number[],
): Promise<Balancer> {
  const balancer = await startTcpBalancer({ front, backends });
  balancer.pin(0);
  const reroute = async (index: number | undefined) => {
    balancer.pin(index);
    await balancer.closeOpen();
    // Let clients see their sockets close before they send on them again.
    await new Promise((resolve) => setTimeout(resolve, 20));
  };
  return {
    connections: balancer.connections,
    routeTo: reroute,
    spread: () => reroute(undefined),
    stop: () => balancer.stop(),
  };
}
