// Every back-channel call the TPP makes goes through here: undici over the sandbox's TLS (with the
// transport certificate when the call needs mutual TLS), the x-fapi-interaction-id of the connection,
// and one trace event per exchange (the trace recorder redacts secrets and decodes JWTs as it stores it).
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { INTERACTION_ID_HEADER } from '@fapi-sandbox/fapi-core/fapi-headers';
import type { CheckResult, TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { type Dispatcher, fetch } from 'undici';
import type { Lane } from '../shared/timeline.js';
import type { StepDescription, StepKind } from '../trace/steps.js';
import { describeStep, type TraceLog } from '../trace/trace-log.js';
import { PartyError } from './party-error.js';

export interface PartyRequest {
  step: StepKind | StepDescription;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  interactionId: string;
  connectionId?: string;
  dispatcher: Dispatcher;
  headers?: Record<string, string>;
  /** application/x-www-form-urlencoded body. */
  form?: Record<string, string>;
  /** application/json body. */
  json?: unknown;
  /** Checks the TPP ran before sending (e.g. what it put in the request), shown with the message. */
  checks?: CheckResult[];
}

export interface PartyResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the response is JSON, otherwise the text. */
  body: unknown;
  text: string;
  event: TraceEvent;
  ok: boolean;
}

export interface PartyClient {
  call(request: PartyRequest): Promise<PartyResponse>;
  /** Like `call`, but a non-2xx answer throws a PartyError carrying the party's error and description. */
  expectOk(request: PartyRequest): Promise<PartyResponse>;
  partyOf(url: string): Lane;
}

function headerRecord(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

export function parseBody(text: string, contentType: string | null | undefined): unknown {
  if (text === '') return undefined;
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

export function createPartyClient(options: { config: SandboxConfig; trace: TraceLog }): PartyClient {
  const { config, trace } = options;
  const hosts = new Map<string, Lane>();
  for (const [party, lane] of [
    [config.directory, 'directory'],
    [config.bankOp, 'bank-op'],
    [config.bankApi, 'bank-api'],
    [config.tpp, 'tpp'],
  ] as const) {
    hosts.set(party.web.host, lane);
    if (party.mtls) hosts.set(party.mtls.host, lane);
  }
  const partyOf = (url: string): Lane => hosts.get(new URL(url).hostname) ?? 'tpp';

  async function call(request: PartyRequest): Promise<PartyResponse> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      [INTERACTION_ID_HEADER]: request.interactionId,
      ...request.headers,
    };
    let body: string | undefined;
    let shownBody: unknown;
    if (request.form) {
      body = new URLSearchParams(request.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
      shownBody = request.form;
    } else if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers['content-type'] = 'application/json';
      shownBody = request.json;
    }
    const started = Date.now();
    let response: Awaited<ReturnType<typeof fetch>>;
    try {
      response = await fetch(request.url, {
        method: request.method,
        headers,
        body,
        dispatcher: request.dispatcher,
        redirect: 'manual',
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      recordExchange(trace, { ...request, requestHeaders: headers, requestBody: shownBody, failure: err });
      throw unreachable(partyOf(request.url), request, err);
    }
    const text = await response.text();
    const responseHeaders = headerRecord(response.headers);
    const parsed = parseBody(text, response.headers.get('content-type'));
    const event = recordExchange(trace, {
      ...request,
      requestHeaders: headers,
      requestBody: shownBody,
      status: response.status,
      responseHeaders,
      responseBody: parsed,
      durationMs: Date.now() - started,
    });
    return {
      status: response.status,
      headers: responseHeaders,
      body: parsed,
      text,
      event,
      ok: response.status >= 200 && response.status < 300,
    };
  }

  return {
    call,
    partyOf,
    async expectOk(request) {
      const response = await call(request);
      if (!response.ok)
        throw PartyError.fromResponse(partyOf(request.url), describeStep(request.step).title, response);
      return response;
    },
  };
}

/** One back-channel exchange the TPP made, as a trace event (fapi-core's recorder redacts it). */
export function recordExchange(
  trace: TraceLog,
  exchange: {
    step: StepKind | StepDescription;
    interactionId: string;
    connectionId?: string;
    method: string;
    url: string;
    requestHeaders: Record<string, string>;
    /** The body as sent (the form or JSON object), before redaction. */
    requestBody?: unknown;
    status?: number;
    responseHeaders?: Record<string, string>;
    /** The parsed answer (JSON) or its text, before redaction. */
    responseBody?: unknown;
    durationMs?: number;
    checks?: CheckResult[];
    /** Why no answer arrived. */
    failure?: unknown;
  },
): TraceEvent {
  const described = describeStep(exchange.step);
  const answered = exchange.responseHeaders !== undefined;
  return trace.record({
    interactionId: exchange.interactionId,
    connectionId: exchange.connectionId,
    party: 'tpp',
    direction: 'outbound',
    channel: 'back',
    step: described.title,
    explanation:
      exchange.durationMs === undefined
        ? described.explanation
        : `${described.explanation} (${exchange.durationMs} ms)`,
    clause: described.clause,
    method: exchange.method,
    url: exchange.url,
    status: exchange.status,
    requestHeaders: exchange.requestHeaders,
    requestBody: exchange.requestBody,
    responseHeaders: exchange.responseHeaders,
    responseBody: answered ? exchange.responseBody : undefined,
    checks: [
      ...(exchange.checks ?? []),
      ...(exchange.failure === undefined
        ? []
        : [
            {
              name: 'The party answered',
              passed: false,
              clause: 'RFC 9110 §6',
              detail: networkReason(exchange.failure),
            },
          ]),
    ],
  });
}

/** The PartyError for a request that got no answer at all. */
export function unreachable(
  party: Lane,
  request: { step: StepKind | StepDescription; method: string; url: string },
  err: unknown,
): PartyError {
  const title = describeStep(request.step).title;
  return new PartyError({
    party,
    step: title,
    upstreamStatus: 0,
    error: 'temporarily_unavailable',
    description: `${title}: ${request.method} ${request.url} failed before any answer (${networkReason(err)})`,
    fix: 'check that the party is running (pnpm dev starts every party) and that its certificate chains to the sandbox CA',
  });
}

function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  return err instanceof Error ? err.message : String(err);
}
