// A participant's own traffic, read the way the parties allow it: GET /trace on each party's mutual-TLS
// origin with the participant's transport certificate (RFC 8705 §2.1) returns the events filed under that
// participant only (fapi-core trace.ts, traceReaderOf). The lab checks and the learner's inspector read
// through here; nothing else of any party is read.
import type { ClientBundle } from '@fapi-sandbox/fapi-core/client-bundle';
import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import type { TraceEvent, TraceParty } from '@fapi-sandbox/fapi-core/trace';
import { type Agent, fetch } from 'undici';

export interface TraceSource {
  party: TraceParty;
  /** The party's GET /trace on its mTLS origin. */
  url: string;
}

/** Who reads: a transport identity and the three parties' trace endpoints. */
export interface TraceReader {
  /** The participant's software_id, as the parties file its events. */
  softwareId: string;
  /** For messages: "Moneywise (Mw3T…)". */
  label: string;
  agent: Agent;
  sources: TraceSource[];
}

export interface TraceRead {
  /** Every party's events for this participant, in time order. */
  events: TraceEvent[];
  /** The parties that could not be read, and why (not running, refused the certificate, …). */
  failures: { party: TraceParty; url: string; problem: string }[];
}

/** The trace endpoints of a running sandbox, from its configuration. */
export function traceSourcesOf(config: SandboxConfig): TraceSource[] {
  return [
    { party: 'directory', url: `${config.directory.mtls.origin}/trace` },
    { party: 'bank-op', url: `${config.bankOp.mtls.origin}/trace` },
    { party: 'bank-api', url: `${config.bankApi.web.origin}/trace` },
  ];
}

/** A demo participant (from certs/participants): the sandbox operator may read its traffic on its laptop. */
export function participantReader(participant: Participant, config: SandboxConfig): TraceReader {
  return {
    softwareId: participant.softwareId,
    label: `${participant.clientName} (${participant.softwareId})`,
    agent: createSandboxAgent(
      { certFile: participant.transportCert, keyFile: participant.transportKey },
      config,
    ),
    sources: traceSourcesOf(config),
  };
}

/** The learner's own software, with the key from their client bundle and the endpoints it names. */
export function bundleReader(bundle: ClientBundle, config: SandboxConfig): TraceReader {
  return {
    softwareId: bundle.software.softwareId,
    label: `${bundle.software.clientName} (${bundle.software.softwareId})`,
    agent: createSandboxAgent(
      {
        cert: bundle.transport.certificatePem,
        key: bundle.transport.privateKeyPem,
        ca: bundle.trust.serverCaBundlePem,
      },
      config,
    ),
    sources: [
      { party: 'directory', url: bundle.endpoints.trace.directory },
      { party: 'bank-op', url: bundle.endpoints.trace.bankOp },
      { party: 'bank-api', url: bundle.endpoints.trace.bankApi },
    ],
  };
}

const TIMEOUT_MS = 5000;

async function readOne(
  reader: TraceReader,
  source: TraceSource,
  since: string | undefined,
): Promise<TraceEvent[] | string> {
  const url = new URL(source.url);
  if (since) url.searchParams.set('since', since);
  try {
    const response = await fetch(url, {
      dispatcher: reader.agent,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = (await response.json().catch(() => undefined)) as
      | { events?: TraceEvent[]; error?: string; error_description?: string }
      | undefined;
    if (response.status !== 200 || !Array.isArray(body?.events)) {
      return `${response.status} ${body?.error ?? ''} ${body?.error_description ?? ''}`.trim();
    }
    return body.events;
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? (err as Error).message;
  }
}

/** Reads every party's trace for the reader's participant (after `since`, when given), merged in time order. */
export async function readTraces(reader: TraceReader, options: { since?: string } = {}): Promise<TraceRead> {
  const answers = await Promise.all(
    reader.sources.map(async (source) => ({ source, answer: await readOne(reader, source, options.since) })),
  );
  const events: TraceEvent[] = [];
  const failures: TraceRead['failures'] = [];
  for (const { source, answer } of answers) {
    if (typeof answer === 'string') failures.push({ party: source.party, url: source.url, problem: answer });
    else events.push(...answer);
  }
  // Each party stamps its own events; Array.prototype.sort is stable, so a party's own order is kept on ties.
  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return { events, failures };
}
