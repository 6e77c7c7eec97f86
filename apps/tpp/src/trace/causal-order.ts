// The order of a timeline is the order of cause and effect, not of clocks. Each party stamps its events
// with its own clock when it records them, and it records at different moments: bank-op when a response
// has finished (so its redirect to the TPP's callback is stamped after it was sent), the TPP when a
// request arrives. Under load, or across machines, the effect (the customer returning to the TPP) can
// carry an earlier time than its cause (the bank's redirect). Lamport's happened-before relation
// ("Time, Clocks, and the Ordering of Events in a Distributed System", 1978) gives the order instead:
//   1. each party's own events happened in the order it recorded them;
//   2. a front-channel redirect happened before the browser's request it sends to another party.
// The timeline is a topological order of that relation, taking the earliest-stamped entry whenever
// several are free to come next, so entries that are not causally related keep their clock order.

import type { Lane } from '../shared/timeline.js';

/** Where a front-channel message sends the browser, or where a browser's request arrived. */
export interface Hop {
  party: Lane | string;
  path: string | undefined;
}

export interface CausalNode<T> {
  value: T;
  /** When the message happened, as well as the clocks tell (the earlier record of a paired message). */
  at: number;
  /** Each record of this message: the party that recorded it, and when by its own clock. */
  recordedAt: { party: string; at: number }[];
  /** A redirect: the browser is sent on to this party and path. */
  sends?: Hop;
  /** A browser's request: it arrived at this party and path. */
  arrives?: Hop;
}

/** How far apart in time a redirect and the browser's request it caused may be stamped. */
const HOP_WINDOW_MS = 60_000;

function samePlace(a: Hop, b: Hop): boolean {
  return a.party === b.party && a.path !== undefined && a.path === b.path;
}

/** The edges of happened-before: for each node, the nodes that must come after it. */
function happenedBefore<T>(nodes: CausalNode<T>[]): Set<number>[] {
  const after = nodes.map(() => new Set<number>());
  // 1. Program order: each party's records, by its own clock (ties keep the order they were listed in).
  const byParty = new Map<string, { index: number; at: number }[]>();
  nodes.forEach((node, index) => {
    for (const record of node.recordedAt) {
      const list = byParty.get(record.party) ?? [];
      list.push({ index, at: record.at });
      byParty.set(record.party, list);
    }
  });
  for (const records of byParty.values()) {
    records.sort((a, b) => a.at - b.at || a.index - b.index);
    for (let i = 1; i < records.length; i++) {
      const [earlier, later] = [records[i - 1]!.index, records[i]!.index];
      if (earlier !== later) after[earlier]!.add(later);
    }
  }
  // 2. Front-channel hops: each redirect causes the nearest unclaimed arrival at the place it sends to.
  const claimed = new Set<number>();
  nodes.forEach((node, index) => {
    const sends = node.sends;
    if (!sends) return;
    let best: number | undefined;
    nodes.forEach((candidate, at) => {
      if (claimed.has(at) || at === index || !candidate.arrives || !samePlace(sends, candidate.arrives))
        return;
      const distance = Math.abs(candidate.at - node.at);
      if (distance > HOP_WINDOW_MS) return;
      if (best === undefined || distance < Math.abs(nodes[best]!.at - node.at)) best = at;
    });
    if (best !== undefined) {
      claimed.add(best);
      after[index]!.add(best);
    }
  });
  return after;
}

/**
 * The nodes in causal order: a topological sort of happened-before that, among the nodes free to come
 * next, takes the earliest-stamped one. Clocks that disagree with causality (a cycle, which only
 * inconsistent records could make) are resolved by taking the earliest-stamped remaining node.
 */
export function causalOrder<T>(nodes: CausalNode<T>[]): T[] {
  const after = happenedBefore(nodes);
  const waitingFor = nodes.map(() => 0);
  for (const successors of after) for (const next of successors) waitingFor[next]! += 1;
  const done = new Set<number>();
  const order: T[] = [];
  const earliest = (candidates: number[]) =>
    candidates.reduce((best, index) =>
      nodes[index]!.at < nodes[best]!.at || (nodes[index]!.at === nodes[best]!.at && index < best)
        ? index
        : best,
    );
  while (order.length < nodes.length) {
    const remaining = nodes.map((_, index) => index).filter((index) => !done.has(index));
    const free = remaining.filter((index) => waitingFor[index] === 0);
    const next = earliest(free.length > 0 ? free : remaining);
    done.add(next);
    order.push(nodes[next]!.value);
    for (const successor of after[next]!) waitingFor[successor]! -= 1;
  }
  return order;
}
