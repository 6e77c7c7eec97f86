// What the TPP asks the directory, through the client engine: its own software statement (over mutual
// TLS, with the transport certificate the directory issued), checked with the directory's keys, and the
// participants list in which it finds the bank. The engine's trace observer records each read; this
// module records the checks and turns an answer the TPP cannot use into the error the learner sees.
import {
  type AuthorisationServer,
  checkSoftwareStatement,
  type DirectoryRefusal,
  fetchSoftwareStatement,
  findAuthorisationServer,
} from '@fapi-sandbox/fapi-client';
import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import type { SsaClaims } from '@fapi-sandbox/fapi-core/software-statement';
import type { Dispatcher } from 'undici';
import { type PartyResponse, type TppEngine, tppStep } from '../connect/engine.js';
import { PartyError } from '../http/party-error.js';
import { STEPS, type StepDescription } from '../trace/steps.js';
import type { TraceLog } from '../trace/trace-log.js';

export type { AuthorisationServer };

export interface VerifiedSsa {
  jwt: string;
  claims: SsaClaims;
}

export interface DirectoryCalls {
  fetchSsa(interactionId: string): Promise<string>;
  verifySsa(ssa: string, interactionId: string): Promise<VerifiedSsa>;
  findBank(interactionId: string): Promise<AuthorisationServer>;
}

/** The directory's own refusal (a non-2xx answer), as it said it. */
function answered(step: StepDescription, response: PartyResponse): PartyError {
  return PartyError.fromResponse('directory', step.title, response);
}

/** An answer the TPP will not use, with the clause behind the refusal. */
function refused(step: StepDescription, refusal: DirectoryRefusal): PartyError {
  return new PartyError({ party: 'directory', step: step.title, upstreamStatus: 200, ...refusal });
}

export function createDirectoryCalls(deps: {
  config: SandboxConfig;
  engine: TppEngine;
  trace: TraceLog;
  participant: Participant;
  transportAgent: Dispatcher;
  webAgent: Dispatcher;
}): DirectoryCalls {
  const { config, engine, trace, participant } = deps;
  const directory = config.directory;

  return {
    async fetchSsa(interactionId) {
      const fetched = await fetchSoftwareStatement(engine, tppStep('ssa', { interactionId }), {
        directory,
        software: participant,
        transport: deps.transportAgent,
      });
      if ('failed' in fetched) throw answered(STEPS.ssa, fetched.failed);
      return fetched.ssa;
    },

    async verifySsa(ssa, interactionId) {
      const checked = await checkSoftwareStatement(engine, tppStep('directory-jwks', { interactionId }), {
        ssa,
        directory,
        software: participant,
        dispatcher: deps.webAgent,
      });
      if ('failed' in checked) throw answered(STEPS['directory-jwks'], checked.failed);
      trace.recordChecks({ interactionId, step: 'ssa-verify', checks: checked.checks });
      if ('refusal' in checked) throw refused(STEPS['ssa-verify'], checked.refusal);
      return { jwt: ssa, claims: checked.claims };
    },

    async findBank(interactionId) {
      const found = await findAuthorisationServer(engine, tppStep('participants', { interactionId }), {
        directory,
        bank: config.bank,
        dispatcher: deps.webAgent,
      });
      if ('failed' in found) throw answered(STEPS.participants, found.failed);
      if (found.checks.length > 0)
        trace.recordChecks({ interactionId, step: 'participants', checks: found.checks });
      if ('refusal' in found) throw refused(STEPS.participants, found.refusal);
      return found.server;
    },
  };
}
