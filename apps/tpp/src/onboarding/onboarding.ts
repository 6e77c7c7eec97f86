// Onboarding: Moneywise's standing with the bank. A run (onboarding-run.ts) fetches and checks the SSA,
// finds the bank, reads its configuration and registers one client per way of connecting; connections
// then ask here for the bank's metadata and for a registration, which is reused while the bank knows it
// and redone when the bank forgot the client or it was made with other metadata than Moneywise asks now.
import type { Participant } from '@fapi-sandbox/fapi-core/config';
import type { Dispatcher } from 'undici';
import type { TppEngine } from '../connect/engine.js';
import type { ClientAuthMethod, ProfileId, RegistrationOptions } from '../connect/profiles.js';
import type { OnboardingView } from '../shared/api.js';
import type { Db } from '../store/database.js';
import type { Registration, RegistrationStore } from '../store/registrations.js';
import type { TraceLog } from '../trace/trace-log.js';
import { type BankMetadata, discoverBank } from './bank-metadata.js';
import type { AuthorisationServer, DirectoryCalls, VerifiedSsa } from './directory.js';
import { type OnboardingState, runOnboarding } from './onboarding-run.js';
import { createOnboardingRuns } from './onboarding-runs.js';
import { registerEveryWay } from './register-every-way.js';
import type { Registrar } from './registration.js';

export interface CallContext {
  interactionId: string;
  connectionId?: string;
}

export interface Onboarding {
  /** Runs every step and returns what the page shows. Never throws: a failed step is in the view. */
  run(): Promise<OnboardingView>;
  view(): Promise<OnboardingView>;
  /** The bank's metadata, discovered once (again after a restart, within the caller's interaction). */
  bank(context: CallContext): Promise<BankMetadata>;
  /** The stored registration for this way of connecting, checked with the bank and redone if forgotten. */
  ensureRegistration(
    profile: ProfileId,
    clientAuth: ClientAuthMethod,
    context: CallContext,
    options?: RegistrationOptions,
  ): Promise<Registration>;
  /** Registers again (after the bank answered invalid_client for a stored client). */
  reregister(
    profile: ProfileId,
    clientAuth: ClientAuthMethod,
    context: CallContext,
    options?: RegistrationOptions,
  ): Promise<Registration>;
}

/** SSAs live an hour (directory contract); one with less than this left is fetched again. */
const SSA_MIN_REMAINING_SECONDS = 300;

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
  const state: OnboardingState = {};
  const runs = createOnboardingRuns(deps.db);
  const software = {
    orgId: participant.orgId,
    orgName: participant.orgName,
    softwareId: participant.softwareId,
    clientName: participant.clientName,
    roles: participant.roles,
  };

  const discover = (server: AuthorisationServer, context: CallContext) =>
    discoverBank({
      server,
      engine: deps.engine,
      trace: deps.trace,
      webAgent: deps.webAgent,
      interactionId: context.interactionId,
    });

  async function bank(context: CallContext): Promise<BankMetadata> {
    state.bank ??= await discover(await directory.findBank(context.interactionId), context);
    return state.bank;
  }

  async function freshSsa(context: CallContext): Promise<VerifiedSsa> {
    const { ssa } = state;
    const remaining = typeof ssa?.claims.exp === 'number' ? ssa.claims.exp - Date.now() / 1000 : 0;
    if (ssa && remaining > SSA_MIN_REMAINING_SECONDS) return ssa;
    const jwt = await directory.fetchSsa(context.interactionId);
    state.ssa = await directory.verifySsa(jwt, context.interactionId);
    return state.ssa;
  }

  async function register(
    profile: ProfileId,
    clientAuth: ClientAuthMethod,
    context: CallContext,
    options: RegistrationOptions = {},
  ): Promise<Registration> {
    const metadata = await bank(context);
    const statement = await freshSsa(context);
    return registrar.register(
      profile,
      clientAuth,
      {
        bank: metadata,
        softwareStatement: statement.jwt,
        jwksUri: String(statement.claims.software_jwks_uri ?? ''),
        ...context,
      },
      options,
    );
  }

  return {
    bank,
    view: () => runs.last(software),
    run: () =>
      runOnboarding({
        software,
        directory,
        discover,
        registerEveryWay: (context) => registerEveryWay({ registrations, registrar, register }, context),
        runs,
        state,
      }),

    async ensureRegistration(profile, clientAuth, context, options) {
      const stored = await registrations.get(profile, clientAuth, options);
      if (stored && (await registrar.check(stored, context)) === 'known') return stored;
      return register(profile, clientAuth, context, options);
    },

    reregister: register,
  };
}
