// The load loop: a fixed number of requests in flight (each worker sends its next request when its last
// one answered) for a fixed time. A request that fails makes the whole run fail: a figure for errors is
// no figure.
import { throughput } from '../stats.js';

export interface DriveResult {
  completed: number;
  elapsedMs: number;
  perSecond: number;
}

export async function driveFor(
  durationMs: number,
  inFlight: number,
  send: () => Promise<void>,
): Promise<DriveResult> {
  if (!(durationMs > 0)) throw new RangeError('durationMs must be positive');
  if (!(Number.isInteger(inFlight) && inFlight > 0))
    throw new RangeError('inFlight must be a positive integer');
  let completed = 0;
  let failed = false;
  const began = performance.now();
  const worker = async () => {
    while (!failed && performance.now() - began < durationMs) {
      try {
        await send();
      } catch (err) {
        // The other workers stop after their request in flight.
        failed = true;
        throw err;
      }
      completed++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const elapsedMs = performance.now() - began;
  if (completed === 0) throw new Error(`no request completed in ${Math.round(elapsedMs)} ms`);
  return { completed, elapsedMs, perSecond: throughput(completed, elapsedMs) };
}
