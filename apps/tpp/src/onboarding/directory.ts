// What the TPP asks the directory: its own software statement (over mutual TLS, with the transport
// certificate the directory issued), the directory's keys to check it, and the participants list in
// which it finds the bank. The reads are fapi-core's directory client; every exchange it reports goes
// into the TPP's trace like any other back-channel call, under the caller's interaction id.
import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import {
  type DirectoryClient,
  DirectoryError,
  type DirectoryExchange,
  type DirectoryOperation,
  type SsaClaims,
} from '@fapi-sandbox/fapi-core/directory-client';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';
import { decodeProtectedHeader } from 'jose';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { parseBody, recordExchange, unreachable } from '../http/party-client.js';
import { PartyError } from '../http/party-error.js';
import { STEPS, type StepDescription } from '../trace/steps.js';
import type { TraceLog } from '../trace/trace-log.js';

const authorisationServer = z.looseObject({
  orgId: z.string(),
  orgName: z.string().optional(),
  status: z.string().optional(),
  issuer: z.string(),
  discoveryUrl: z.string(),
  apiBaseUrl: z.string().optional(),
  customerFriendlyName: z.string().optional(),
  logoUri: z.string().nullish(),
});
const participantsSchema = z.looseObject({ authorisationServers: z.array(authorisationServer) });

export type AuthorisationServer = z.infer<typeof authorisationServer>;

export interface VerifiedSsa {
  jwt: string;
  claims: SsaClaims;
}

export interface DirectoryCalls {
  fetchSsa(interactionId: string): Promise<string>;
  verifySsa(ssa: string, interactionId: string): Promise<VerifiedSsa>;
  findBank(interactionId: string): Promise<AuthorisationServer>;
}

/** The step each directory read is part of; the keys are fetched to check the SSA. */
const STEP_OF: Record<DirectoryOperation, StepDescription> = {
  fetchSsa: STEPS.ssa,
  jwks: STEPS['directory-jwks'],
  participants: STEPS.participants,
  certificateStatus: STEPS['directory-read'],
  softwareStatement: STEPS['directory-read'],
  softwareJwks: STEPS['directory-read'],
};

/**
 * The directory client's `onExchange` hook: each exchange becomes a TPP trace event. A read made
 * without an interaction id belongs to no flow the learner can open, so it is not recorded.
 */
export function traceDirectoryExchange(trace: TraceLog): (exchange: DirectoryExchange) => void {
  return (exchange) => {
    if (!exchange.interactionId) return;
    recordExchange(trace, {
      step: STEP_OF[exchange.operation],
      interactionId: exchange.interactionId,
      method: exchange.method,
      url: exchange.url,
      requestHeaders: exchange.requestHeaders,
      status: exchange.status,
      responseHeaders: exchange.responseHeaders,
      responseBody:
        exchange.body === undefined
          ? undefined
          : parseBody(exchange.body.trim(), exchange.responseHeaders?.['content-type']),
      durationMs: exchange.durationMs,
      failure: exchange.error,
    });
  };
}

/** A failed directory read as the error the learner sees: the directory's own answer, or why none came. */
function directoryFailure(step: StepDescription, url: string, err: unknown): unknown {
  if (err instanceof DirectoryError) {
    return PartyError.fromResponse('directory', step.title, {
      status: err.status,
      body: { error: err.error, error_description: err.errorDescription },
      text: err.errorDescription,
    });
  }
  if (err instanceof OAuthError) return err;
  return unreachable('directory', { step, method: 'GET', url }, err);
}

export function createDirectoryCalls(deps: {
  config: SandboxConfig;
  client: DirectoryClient;
  trace: TraceLog;
  participant: Participant;
  transportAgent: Dispatcher;
}): DirectoryCalls {
  const { config, client, trace, participant } = deps;
  const directory = config.directory;

  return {
    async fetchSsa(interactionId) {
      try {
        return await client.fetchSsa(participant.orgId, participant.softwareId, deps.transportAgent, {
          interactionId,
        });
      } catch (err) {
        const url = `${directory.mtls.origin}/organisations/${encodeURIComponent(participant.orgId)}/software-statements/${encodeURIComponent(participant.softwareId)}/ssa`;
        throw directoryFailure(STEPS.ssa, url, err);
      }
    },

    async verifySsa(ssa, interactionId) {
      const checks: CheckResult[] = [];
      let claims: SsaClaims;
      try {
        // RFC 7591 §2.3: the statement is a JWS by the directory; the directory's web origin is its issuer.
        claims = await client.verifySsa(ssa, { interactionId });
        checks.push({
          name: 'SSA signed by the directory',
          passed: true,
          clause: 'RFC 7591 §2.3, RFC 7515 §5.2',
          detail: `signature verified with kid ${String(decodeProtectedHeader(ssa).kid)}; iss ${directory.web.origin}; not expired`,
        });
      } catch (err) {
        if (!(err instanceof OAuthError) || err.error !== 'invalid_software_statement')
          throw directoryFailure(STEPS['ssa-verify'], `${directory.web.origin}/.well-known/jwks.json`, err);
        checks.push({
          name: 'SSA signed by the directory',
          passed: false,
          clause: 'RFC 7591 §2.3',
          detail: err.description,
        });
        trace.recordChecks({ interactionId, step: 'ssa-verify', checks });
        throw new PartyError({
          party: 'directory',
          step: STEPS['ssa-verify'].title,
          upstreamStatus: 200,
          error: 'invalid_software_statement',
          description: `The software statement from the directory does not verify: ${err.description}`,
          clause: 'RFC 7591 §2.3',
          fix: 'check that the PKI and the directory are from the same run (pnpm pki, then restart pnpm dev)',
        });
      }
      // The statement must be about this software, or the bank would register someone else.
      const sameSoftware =
        claims.software_id === participant.softwareId && claims.org_id === participant.orgId;
      checks.push({
        name: 'SSA names Moneywise',
        passed: sameSoftware,
        clause: 'RFC 7591 §2.3',
        detail: `software_id ${String(claims.software_id)}, org_id ${String(claims.org_id)}`,
      });
      trace.recordChecks({ interactionId, step: 'ssa-verify', checks });
      if (!sameSoftware) {
        throw new PartyError({
          party: 'directory',
          step: STEPS['ssa-verify'].title,
          upstreamStatus: 200,
          error: 'invalid_software_statement',
          description: `The directory returned a statement for software ${String(claims.software_id)}, not ${participant.softwareId}`,
          clause: 'RFC 7591 §2.3',
        });
      }
      return { jwt: ssa, claims };
    },

    async findBank(interactionId) {
      let answer: unknown;
      try {
        answer = await client.participants({ interactionId });
      } catch (err) {
        throw directoryFailure(STEPS.participants, `${directory.web.origin}/participants`, err);
      }
      const parsed = participantsSchema.safeParse(answer);
      if (!parsed.success) {
        throw new PartyError({
          party: 'directory',
          step: STEPS.participants.title,
          upstreamStatus: 200,
          error: 'invalid_response',
          description: `The participants list does not have the expected shape: ${parsed.error.issues[0]?.message ?? ''}`,
        });
      }
      const bank = parsed.data.authorisationServers.find((server) => server.orgId === config.bank.orgId);
      // A suspended or revoked bank is not one to send customers to, whatever its endpoints say.
      const active = bank !== undefined && (bank.status ?? 'active').toLowerCase() === 'active';
      trace.recordChecks({
        interactionId,
        step: 'participants',
        checks: [
          {
            name: `${config.bank.orgName} is a listed, active authorisation server`,
            passed: active,
            clause: 'UK OB Directory §Participants',
            detail: bank
              ? `issuer ${bank.issuer}, status ${bank.status ?? 'Active'}`
              : `org ${config.bank.orgId} is not listed`,
          },
        ],
      });
      if (!bank || !active) {
        throw new PartyError({
          party: 'directory',
          step: STEPS.participants.title,
          upstreamStatus: 200,
          error: 'bank_not_listed',
          description: bank
            ? `${config.bank.orgName} is listed with status ${bank.status}, so Moneywise must not connect to it`
            : `${config.bank.orgName} (org ${config.bank.orgId}) is not in the directory's participants list`,
          fix: 'restore the bank in the directory (its admin API) and onboard again',
        });
      }
      return bank;
    },
  };
}
