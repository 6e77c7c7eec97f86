// Onboarding: fetch the SSA from the directory, check it, find the bank in the participants list, read
// its configuration, and register one client per way of connecting. Every step is reported to the page
// (with its explanation) and to the trace; registrations are kept and reused, and redone when the bank
// no longer knows the client or when they were made with other metadata than Moneywise asks for now.
import { randomUUID } from 'node:crypto';
import type { Participant } from '@fapi-sandbox/fapi-core/config';
import type { Dispatcher } from 'undici';
import type { TppEngine } from '../connect/engine.js';
import { CLIENT_AUTH_METHODS, type ClientAuthMethod, PROFILES, type ProfileId } from '../connect/profiles.js';
import { PartyError } from '../http/party-error.js';
import type { ApiError, OnboardingStepView, OnboardingView, RegistrationView } from '../shared/api.js';
import type { Db } from '../store/database.js';
import type { Registration, RegistrationStore } from '../store/registrations.js';
import { STEPS } from '../trace/steps.js';
import type { TraceLog } from '../trace/trace-log.js';
import { type BankMetadata, discoverBank } from './bank-metadata.js';
import type { DirectoryCalls, VerifiedSsa } from './directory.js';
import type { Registrar } from './registration.js';

export interface CallContext {
  interactionId: string;
  connectionId?: string;
}

export interface Onboarding {
  /** Runs every step and returns what the page shows. Never throws: a failed step is in the view. */
  run(): Promise<OnboardingView>;
  view(): OnboardingView;
  /** The bank's metadata, discovered once (again after a restart, within the caller's interaction). */
  bank(context: CallContext): Promise<BankMetadata>;
  /** The stored registration for this way of connecting, checked with the bank and redone if forgotten. */
  ensureRegistration(
    profile: ProfileId,
    clientAuth: ClientAuthMethod,
    context: CallContext,
  ): Promise<Registration>;
  /** Registers again (after the bank answered invalid_client for a stored client). */
  reregister(profile: ProfileId, clientAuth: ClientAuthMethod, context: CallContext): Promise<Registration>;
}

/** Every (profile, client authentication) pair Moneywise registers. */
export const REGISTRATION_COMBINATIONS: [ProfileId, ClientAuthMethod][] = (
  Object.keys(PROFILES) as ProfileId[]
).flatMap((profile) =>
  (Object.keys(CLIENT_AUTH_METHODS) as ClientAuthMethod[]).map(
    (auth) => [profile, auth] as [ProfileId, ClientAuthMethod],
  ),
);

/** SSAs live an hour (directory contract); one with less than this left is fetched again. */
const SSA_MIN_REMAINING_SECONDS = 300;

function toApiError(err: unknown): ApiError {
  if (err instanceof PartyError) return err.toJSON();
  if (err instanceof Error && 'toJSON' in err && typeof err.toJSON === 'function')
    return err.toJSON() as ApiError;
  return {
    error: 'server_error',
    error_description: err instanceof Error ? err.message : String(err),
  };
}

function emptySteps(): OnboardingStepView[] {
  const step = (id: OnboardingStepView['id'], key: keyof typeof STEPS): OnboardingStepView => ({
    id,
    title: STEPS[key].title,
    status: 'pending',
    explanation: STEPS[key].explanation,
    clause: STEPS[key].clause,
  });
  return [
    step('ssa', 'ssa'),
    step('ssa-verify', 'ssa-verify'),
    step('participants', 'participants'),
    step('discovery', 'discovery'),
    step('register', 'dcr'),
  ];
}

export function createOnboarding(deps: {
  db: Db;
  participant: Participant;
  directory: DirectoryCalls;
  registrar: Registrar;
  registrations: RegistrationStore;
  engine: TppEngine;
  trace: TraceLog;
  webAgent: Dispatcher;
}): Onboarding {
  const { participant, directory, registrar, registrations } = deps;
  let bankMetadata: BankMetadata | undefined;
  let ssa: VerifiedSsa | undefined;
  const saveRun = deps.db.prepare(
    'INSERT INTO onboarding_runs (interaction_id, started_at, result_json) VALUES (?, ?, ?)',
  );
  const lastRun = deps.db.prepare('SELECT result_json FROM onboarding_runs ORDER BY id DESC LIMIT 1');

  const software = {
    orgId: participant.orgId,
    orgName: participant.orgName,
    softwareId: participant.softwareId,
    clientName: participant.clientName,
    roles: participant.roles,
  };

  async function bank(context: CallContext): Promise<BankMetadata> {
    if (bankMetadata) return bankMetadata;
    const server = await directory.findBank(context.interactionId);
    bankMetadata = await discoverBank({
      server,
      engine: deps.engine,
      trace: deps.trace,
      webAgent: deps.webAgent,
      interactionId: context.interactionId,
    });
    return bankMetadata;
  }

  async function freshSsa(context: CallContext): Promise<VerifiedSsa> {
    const remaining = typeof ssa?.claims.exp === 'number' ? ssa.claims.exp - Date.now() / 1000 : 0;
    if (ssa && remaining > SSA_MIN_REMAINING_SECONDS) return ssa;
    const jwt = await directory.fetchSsa(context.interactionId);
    ssa = await directory.verifySsa(jwt, context.interactionId);
    return ssa;
  }

  async function register(
    profile: ProfileId,
    clientAuth: ClientAuthMethod,
    context: CallContext,
  ): Promise<Registration> {
    const metadata = await bank(context);
    const statement = await freshSsa(context);
    return registrar.register(profile, clientAuth, {
      bank: metadata,
      softwareStatement: statement.jwt,
      jwksUri: String(statement.claims.software_jwks_uri ?? ''),
      ...context,
    });
  }

  function storedView(): OnboardingView {
    const row = lastRun.get() as { result_json: string } | undefined;
    if (row) return JSON.parse(row.result_json) as OnboardingView;
    return { status: 'not-started', software, steps: emptySteps(), registrations: [] };
  }

  return {
    bank,
    view: storedView,

    async run() {
      const interactionId = randomUUID();
      const context: CallContext = { interactionId };
      const steps = emptySteps();
      const at = (id: OnboardingStepView['id']) => steps.find((s) => s.id === id)!;
      const view: OnboardingView = { status: 'failed', interactionId, software, steps, registrations: [] };
      let current: OnboardingStepView = at('ssa');
      try {
        // Always a fresh statement and a fresh look at the bank: onboarding is when the learner watches it.
        ssa = undefined;
        bankMetadata = undefined;
        const jwt = await directory.fetchSsa(interactionId);
        current.status = 'done';
        current.detail = `A ${jwt.length}-character signed JWT for software ${participant.softwareId}`;

        current = at('ssa-verify');
        ssa = await directory.verifySsa(jwt, interactionId);
        current.status = 'done';
        const exp =
          typeof ssa.claims.exp === 'number' ? new Date(ssa.claims.exp * 1000).toISOString() : 'unknown';
        current.detail = `Signed by the directory; roles ${String(ssa.claims.software_roles ?? '')}; expires ${exp}`;

        current = at('participants');
        const server = await directory.findBank(interactionId);
        current.status = 'done';
        current.detail = `${server.customerFriendlyName ?? server.orgName ?? server.orgId}: issuer ${server.issuer}`;
        view.bank = {
          name: server.customerFriendlyName ?? server.orgName ?? server.orgId,
          issuer: server.issuer,
        };

        current = at('discovery');
        bankMetadata = await discoverBank({
          server,
          engine: deps.engine,
          trace: deps.trace,
          webAgent: deps.webAgent,
          interactionId,
        });
        current.status = 'done';
        current.detail = `PAR at ${bankMetadata.metadata.pushed_authorization_request_endpoint}`;

        current = at('register');
        for (const [profile, clientAuth] of REGISTRATION_COMBINATIONS) {
          const stored = registrations.get(profile, clientAuth);
          let outcome: RegistrationView['outcome'];
          let registration: Registration;
          if (stored && (await registrar.check(stored, context)) === 'known') {
            registration = stored;
            outcome = 'reused';
          } else {
            registration = await register(profile, clientAuth, context);
            outcome = stored ? 'reregistered' : 'registered';
          }
          view.registrations.push({
            profile,
            clientAuth,
            clientId: registration.clientId,
            registeredAt: registration.registeredAt,
            outcome,
          });
        }
        current.status = 'done';
        const counts = view.registrations.reduce<Record<string, number>>((acc, r) => {
          acc[r.outcome ?? 'registered'] = (acc[r.outcome ?? 'registered'] ?? 0) + 1;
          return acc;
        }, {});
        current.detail = Object.entries(counts)
          .map(([outcome, n]) => `${n} ${outcome}`)
          .join(', ');
        view.status = 'done';
      } catch (err) {
        current.status = 'failed';
        current.error = toApiError(err);
        for (const step of steps) if (step.status === 'pending') step.status = 'skipped';
      }
      view.finishedAt = new Date().toISOString();
      saveRun.run(interactionId, view.finishedAt, JSON.stringify(view));
      return view;
    },

    async ensureRegistration(profile, clientAuth, context) {
      const stored = registrations.get(profile, clientAuth);
      if (stored && (await registrar.check(stored, context)) === 'known') return stored;
      return register(profile, clientAuth, context);
    },

    reregister: register,
  };
}
