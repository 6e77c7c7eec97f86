// The directory as a participant's client asks it: its own software statement over mutual TLS (only the
// holder of the transport certificate the directory issued gets it, RFC 7591 §2.3), checked with the
// directory's published keys before it is sent anywhere, and the participants list, the trusted source
// of the bank's issuer (FAPI 2.0 SP §5.3.3.1). Every read is an engine exchange, so observers see it.
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { type SsaClaims, verifySoftwareStatement } from '@fapi-sandbox/fapi-core/software-statement';
import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';
import { decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import type { EngineContext, ExchangeResponse } from './exchange.js';
import { reportChecks, type StepRef } from './observer.js';

/** Where the directory listens: its web origin (the SSA issuer, public reads) and its mTLS origin. */
export type DirectoryOrigins = SandboxConfig['directory'];

/** The software a client acts for, as the directory names it. */
export interface SoftwareRef {
  orgId: string;
  softwareId: string;
}

/** Why a client will not use what the directory answered: an OAuth-style error with its clause. */
export interface DirectoryRefusal {
  error: string;
  description: string;
  clause: string;
  fix?: string;
}

function softwarePath(software: SoftwareRef): string {
  return `/organisations/${encodeURIComponent(software.orgId)}/software-statements/${encodeURIComponent(software.softwareId)}`;
}

/** One GET at the directory through the engine. */
function read<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  step: StepRef,
  url: string,
  dispatcher: Dispatcher,
  accept?: string,
): Promise<R> {
  const headers: Record<string, string> = accept ? { accept } : {};
  return engine.exchange({ ...step, kind: 'http', method: 'GET', url, headers, dispatcher });
}

/** Where a software's statement is fetched: the directory's mTLS listener. */
export function softwareStatementUrl(directory: DirectoryOrigins, software: SoftwareRef): string {
  return `${directory.mtls.origin}${softwarePath(software)}/ssa`;
}

/**
 * RFC 7591 §2.3: GET the software's SSA over mutual TLS; `transport` must present the software's
 * transport certificate. An answer that is not 2xx is handed back as it is (`failed`).
 */
export async function fetchSoftwareStatement<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  step: StepRef,
  input: { directory: DirectoryOrigins; software: SoftwareRef; transport: Dispatcher },
): Promise<{ ssa: string; response: R } | { failed: R }> {
  const url = softwareStatementUrl(input.directory, input.software);
  const response = await read(engine, step, url, input.transport, 'application/jwt');
  if (!response.ok) return { failed: response };
  return { ssa: response.text.trim(), response };
}

export type CheckedStatement<R> =
  | { claims: SsaClaims; checks: CheckResult[] }
  | { refusal: DirectoryRefusal; checks: CheckResult[] }
  | { failed: R };

/**
 * Checks a statement before the client sends it anywhere: signed by the directory (fapi-core's
 * verifier, with the directory's keys read through the engine; RFC 7591 §2.3, RFC 7515 §5.2), and about
 * this very software, or the bank would register someone else. A keys read that is not 2xx is `failed`.
 */
export async function checkSoftwareStatement<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  step: StepRef,
  input: { ssa: string; directory: DirectoryOrigins; software: SoftwareRef; dispatcher: Dispatcher },
): Promise<CheckedStatement<R>> {
  const { directory, software } = input;
  let keysFailed: R | undefined;
  const keys = async (): Promise<JSONWebKeySet> => {
    const response = await read(
      engine,
      step,
      `${directory.web.origin}/.well-known/jwks.json`,
      input.dispatcher,
    );
    if (response.ok) return response.body as JSONWebKeySet;
    keysFailed = response;
    throw new Error(`the directory's keys answered ${response.status}`);
  };
  let claims: SsaClaims;
  try {
    claims = await verifySoftwareStatement(input.ssa, {
      issuer: directory.web.origin,
      keys,
      ssaSource: `GET ${softwareStatementUrl(directory, software)}`,
    });
  } catch (err) {
    if (keysFailed) return { failed: keysFailed };
    if (!(err instanceof OAuthError)) throw err;
    const checks = [
      {
        name: 'SSA signed by the directory',
        passed: false,
        clause: 'RFC 7591 §2.3',
        detail: err.description,
      },
    ];
    reportChecks(engine.observer, step, checks);
    return {
      checks,
      refusal: {
        error: 'invalid_software_statement',
        description: `The software statement from the directory does not verify: ${err.description}`,
        clause: 'RFC 7591 §2.3',
        fix: 'check that the PKI and the directory are from the same run (pnpm pki, then restart pnpm dev)',
      },
    };
  }
  const sameSoftware = claims.software_id === software.softwareId && claims.org_id === software.orgId;
  const checks: CheckResult[] = [
    {
      name: 'SSA signed by the directory',
      passed: true,
      clause: 'RFC 7591 §2.3, RFC 7515 §5.2',
      detail: `signature verified with kid ${String(decodeProtectedHeader(input.ssa).kid)}; iss ${directory.web.origin}; not expired`,
    },
    {
      name: 'SSA names this software',
      passed: sameSoftware,
      clause: 'RFC 7591 §2.3',
      detail: `software_id ${claims.software_id}, org_id ${claims.org_id}`,
    },
  ];
  reportChecks(engine.observer, step, checks);
  if (sameSoftware) return { claims, checks };
  return {
    checks,
    refusal: {
      error: 'invalid_software_statement',
      description: `The directory returned a statement for software ${claims.software_id}, not ${software.softwareId}`,
      clause: 'RFC 7591 §2.3',
    },
  };
}

const authorisationServerSchema = z.looseObject({
  orgId: z.string(),
  orgName: z.string().optional(),
  status: z.string().optional(),
  issuer: z.string(),
  discoveryUrl: z.string(),
  apiBaseUrl: z.string().optional(),
  customerFriendlyName: z.string().optional(),
  logoUri: z.string().nullish(),
});
const participantsSchema = z.looseObject({ authorisationServers: z.array(authorisationServerSchema) });

/** A bank as the directory lists it: where its discovery document is, and the issuer it must name. */
export type AuthorisationServer = z.infer<typeof authorisationServerSchema>;

export type FoundServer<R> =
  | { server: AuthorisationServer; checks: CheckResult[] }
  | { refusal: DirectoryRefusal; checks: CheckResult[] }
  | { failed: R };

/**
 * Reads the participants list and finds the bank in it (FAPI 2.0 SP §5.3.3.1: the issuer comes from a
 * trusted source, never from anything a browser could supply). A suspended or revoked bank is not one
 * to send customers to, whatever its endpoints say.
 */
export async function findAuthorisationServer<R extends ExchangeResponse>(
  engine: EngineContext<R>,
  step: StepRef,
  input: { directory: DirectoryOrigins; bank: { orgId: string; orgName: string }; dispatcher: Dispatcher },
): Promise<FoundServer<R>> {
  const response = await read(engine, step, `${input.directory.web.origin}/participants`, input.dispatcher);
  if (!response.ok) return { failed: response };
  const parsed = participantsSchema.safeParse(response.body);
  if (!parsed.success) {
    return {
      checks: [],
      refusal: {
        error: 'invalid_response',
        description: `The participants list does not have the expected shape: ${parsed.error.issues[0]?.message ?? ''}`,
        clause: 'UK OB Directory §Participants',
      },
    };
  }
  const { bank } = input;
  const server = parsed.data.authorisationServers.find((listed) => listed.orgId === bank.orgId);
  const active = server !== undefined && (server.status ?? 'active').toLowerCase() === 'active';
  const checks: CheckResult[] = [
    {
      name: `${bank.orgName} is a listed, active authorisation server`,
      passed: active,
      clause: 'UK OB Directory §Participants',
      detail: server
        ? `issuer ${server.issuer}, status ${server.status ?? 'Active'}`
        : `org ${bank.orgId} is not listed`,
    },
  ];
  reportChecks(engine.observer, step, checks);
  if (server && active) return { server, checks };
  return {
    checks,
    refusal: {
      error: 'bank_not_listed',
      description: server
        ? `${bank.orgName} is listed with status ${server.status}, so a client must not connect to it`
        : `${bank.orgName} (org ${bank.orgId}) is not in the directory's participants list`,
      clause: 'FAPI 2.0 SP §5.3.3.1, UK OB Directory §Participants',
      fix: 'restore the bank in the directory (its admin API) and onboard again',
    },
  };
}
