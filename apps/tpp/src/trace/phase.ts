// Which phase of a connection the TPP is in while it handles a request (onboarding, connect, use, pay,
// refresh, disconnect, attacks), so that every event it records on the way is stamped with it, however
// deep the call that records it. The route that starts an operation names its phase (inPhase); a step
// that is a phase of its own wherever it happens (a refresh, the registration checks) names it itself.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestHandler } from 'express';
import type { Phase } from '../shared/timeline.js';

const current = new AsyncLocalStorage<Phase>();

/** Runs `work` in `phase`: the TPP's trace events recorded meanwhile carry it. */
export function runInPhase<T>(phase: Phase, work: () => T): T {
  return current.run(phase, work);
}

/** Express middleware: the rest of the route runs in `phase`. */
export function inPhase(phase: Phase): RequestHandler {
  return (_req, _res, next) => runInPhase(phase, () => next());
}

/** The phase the current request is in, if its route named one. */
export function currentPhase(): Phase | undefined {
  return current.getStore();
}
