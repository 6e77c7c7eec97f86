// What the TPP asks the directory: its own software statement (over mutual TLS, with the transport
// certificate the directory issued), the directory's keys to check it, and the participants list in
// which it finds the bank.
import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';
import { createLocalJWKSet, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { PartyClient } from '../http/party-client.js';
import { PartyError } from '../http/party-error.js';
import type { TraceLog } from '../trace/trace-log.js';

const authorisationServer = z.looseObject({
  orgId: z.string(),
  orgName: z.string().optional(),
  status: z.string().optional(),
  issuer: z.string(),
  discoveryUrl: z.string(),
  apiBaseUrl: z.string().optional(),
  customerFriendlyName: z.string().optional(),
  logoUri: z.string().optional(),
});
const participantsSchema = z.looseObject({ authorisationServers: z.array(authorisationServer) });

export type AuthorisationServer = z.infer<typeof authorisationServer>;

export interface VerifiedSsa {
  jwt: string;
  claims: JWTPayload & Record<string, unknown>;
}

export interface DirectoryCalls {
  fetchSsa(interactionId: string): Promise<string>;
  verifySsa(ssa: string, interactionId: string): Promise<VerifiedSsa>;
  findBank(interactionId: string): Promise<AuthorisationServer>;
}

export function createDirectoryCalls(deps: {
  config: SandboxConfig;
  party: PartyClient;
  trace: TraceLog;
  participant: Participant;
  transportAgent: Dispatcher;
  webAgent: Dispatcher;
}): DirectoryCalls {
  const { config, party, trace, participant } = deps;
  const directory = config.directory;

  return {
    async fetchSsa(interactionId) {
      const url = `${directory.mtls.origin}/organisations/${encodeURIComponent(participant.orgId)}/software-statements/${encodeURIComponent(participant.softwareId)}/ssa`;
      const response = await party.expectOk({
        step: 'ssa',
        method: 'GET',
        url,
        interactionId,
        dispatcher: deps.transportAgent,
        headers: { accept: 'application/jwt' },
      });
      return response.text.trim();
    },

    async verifySsa(ssa, interactionId) {
      const jwksResponse = await party.expectOk({
        step: 'ssa-verify',
        method: 'GET',
        url: `${directory.web.origin}/.well-known/jwks.json`,
        interactionId,
        dispatcher: deps.webAgent,
      });
      const checks: CheckResult[] = [];
      let claims: JWTPayload & Record<string, unknown>;
      try {
        // RFC 7591 §2.3: the statement is a JWS by the directory; the directory's web origin is its issuer.
        const verified = await jwtVerify(ssa, createLocalJWKSet(jwksResponse.body as JSONWebKeySet), {
          issuer: directory.web.origin,
          algorithms: ['PS256', 'ES256'],
        });
        claims = verified.payload as JWTPayload & Record<string, unknown>;
        checks.push({
          name: 'SSA signed by the directory',
          passed: true,
          clause: 'RFC 7591 §2.3, RFC 7515 §5.2',
          detail: `signature verified with kid ${String(verified.protectedHeader.kid)}; iss ${directory.web.origin}; not expired`,
        });
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err);
        checks.push({ name: 'SSA signed by the directory', passed: false, clause: 'RFC 7591 §2.3', detail });
        trace.recordChecks({ interactionId, step: 'ssa-verify', checks });
        throw new PartyError({
          party: 'directory',
          step: 'Check the SSA signature',
          upstreamStatus: 200,
          error: 'invalid_software_statement',
          description: `The software statement from the directory does not verify: ${detail}`,
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
          step: 'Check the SSA signature',
          upstreamStatus: 200,
          error: 'invalid_software_statement',
          description: `The directory returned a statement for software ${String(claims.software_id)}, not ${participant.softwareId}`,
          clause: 'RFC 7591 §2.3',
        });
      }
      return { jwt: ssa, claims };
    },

    async findBank(interactionId) {
      const response = await party.expectOk({
        step: 'participants',
        method: 'GET',
        url: `${directory.web.origin}/participants`,
        interactionId,
        dispatcher: deps.webAgent,
      });
      const parsed = participantsSchema.safeParse(response.body);
      if (!parsed.success) {
        throw new PartyError({
          party: 'directory',
          step: 'Find the bank in the directory',
          upstreamStatus: response.status,
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
          step: 'Find the bank in the directory',
          upstreamStatus: response.status,
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
