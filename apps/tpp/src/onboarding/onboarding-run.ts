// One onboarding run, as the learner watches it: fetch the SSA from the directory, check it, find the bank
// in the participants list, read its configuration, and register one client per way of connecting. Each
// step is reported to the page with its outcome; the first that fails ends the run, the rest are skipped.
import { randomUUID } from 'node:crypto';
import { toApiError } from '../connect/connection-kit.js';
import type { OnboardingStepView, OnboardingView } from '../shared/api.js';
import type { BankMetadata } from './bank-metadata.js';
import type { AuthorisationServer, DirectoryCalls, VerifiedSsa } from './directory.js';
import type { CallContext } from './onboarding.js';
import { emptySteps, type OnboardingRuns } from './onboarding-runs.js';
import type { registerEveryWay } from './register-every-way.js';

/** What a run leaves for later connections: the checked SSA and the bank's metadata. */
export interface OnboardingState {
  ssa?: VerifiedSsa;
  bank?: BankMetadata;
}

export async function runOnboarding(deps: {
  software: OnboardingView['software'];
  directory: DirectoryCalls;
  discover(server: AuthorisationServer, context: CallContext): Promise<BankMetadata>;
  registerEveryWay(context: CallContext): ReturnType<typeof registerEveryWay>;
  runs: OnboardingRuns;
  state: OnboardingState;
}): Promise<OnboardingView> {
  const { directory, state } = deps;
  const interactionId = randomUUID();
  const context: CallContext = { interactionId };
  const steps = emptySteps();
  const at = (id: OnboardingStepView['id']) => steps.find((s) => s.id === id)!;
  const view: OnboardingView = {
    status: 'failed',
    interactionId,
    software: deps.software,
    steps,
    registrations: [],
  };
  let current: OnboardingStepView = at('ssa');
  try {
    // Always a fresh statement and a fresh look at the bank: onboarding is when the learner watches it.
    state.ssa = undefined;
    state.bank = undefined;
    const jwt = await directory.fetchSsa(interactionId);
    current.status = 'done';
    current.detail = `A ${jwt.length}-character signed JWT for software ${deps.software.softwareId}`;

    current = at('ssa-verify');
    state.ssa = await directory.verifySsa(jwt, interactionId);
    current.status = 'done';
    const { claims } = state.ssa;
    const exp = typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : 'unknown';
    current.detail = `Signed by the directory; roles ${String(claims.software_roles ?? '')}; expires ${exp}`;

    current = at('participants');
    const server = await directory.findBank(interactionId);
    current.status = 'done';
    const name = server.customerFriendlyName ?? server.orgName ?? server.orgId;
    current.detail = `${name}: issuer ${server.issuer}`;
    view.bank = { name, issuer: server.issuer };

    current = at('discovery');
    state.bank = await deps.discover(server, context);
    current.status = 'done';
    current.detail = `PAR at ${state.bank.metadata.pushed_authorization_request_endpoint}`;

    current = at('register');
    const registered = await deps.registerEveryWay(context);
    view.registrations = registered.registrations;
    current.status = 'done';
    current.detail = registered.detail;
    view.status = 'done';
  } catch (err) {
    current.status = 'failed';
    current.error = toApiError(err);
    for (const step of steps) if (step.status === 'pending') step.status = 'skipped';
  }
  view.finishedAt = new Date().toISOString();
  await deps.runs.save(view);
  return view;
}
