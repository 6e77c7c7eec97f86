// One HTTP exchange of the client engine: the bend hook sees the request, undici sends it over the
// sandbox's TLS (with the certificate its dispatcher presents), and the observer sees request and answer.
// Redirects are not followed: a FAPI back channel never redirects, and the caller reads front-channel ones.
import { INTERACTION_ID_HEADER } from '@fapi-sandbox/fapi-core/fapi-headers';
import { fetch } from 'undici';
import { type Bend, bendHttp, type HttpMessage } from './bend.js';
import type { FapiObserver, ObservedExchange } from './observer.js';

export interface ExchangeResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the answer is JSON, otherwise its text (undefined when empty). */
  body: unknown;
  text: string;
  ok: boolean;
}

/** Sends one message; the engine's step modules call only this, so a caller may supply its own. */
export type Exchange<R extends ExchangeResponse = ExchangeResponse> = (message: HttpMessage) => Promise<R>;

/**
 * What every step module is given: how to send, who watches, and the bend hook. A caller that keeps
 * its own record of exchanges (a TPP's trace) may pass an exchange whose answers carry more (`R`).
 */
export interface EngineContext<R extends ExchangeResponse = ExchangeResponse> {
  exchange: Exchange<R>;
  observer?: FapiObserver;
  bend?: Bend;
}

/** An answer's body: JSON when it says so (or looks like it), otherwise the text. */
export function parseBody(text: string, contentType: string | null | undefined): unknown {
  if (text === '') return undefined;
  if (contentType?.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

export function headerRecord(headers: { forEach(cb: (value: string, name: string) => void): void }) {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = value;
  });
  return out;
}

/** An answer with what the observer recorded of its exchange (undefined without an observer). */
export interface ObservedResponse<Recorded> extends ExchangeResponse {
  recorded: Recorded;
}

/**
 * The default exchange: the bend hook, the headers every request carries (Accept, the interaction id,
 * the body's Content-Type), undici with a 15 s timeout, then the observer, whose record of the exchange
 * comes back with the answer. A request that gets no answer is reported to the observer, then thrown.
 */
export function createExchange<Recorded = undefined>(
  options: { observer?: FapiObserver<Recorded>; bend?: Bend } = {},
): Exchange<ObservedResponse<Recorded>> {
  return async (original) => {
    const { message, bent } = bendHttp(options.bend, original);
    const headers: Record<string, string> = {
      accept: 'application/json',
      // FAPI 1.0 Part 1 §6.2.1-11: the caller's interaction id, unless the message names its own.
      ...(message.interactionId ? { [INTERACTION_ID_HEADER]: message.interactionId } : {}),
      ...message.headers,
    };
    let body: string | undefined;
    let shownBody: unknown;
    if (message.form) {
      body = new URLSearchParams(message.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
      shownBody = message.form;
    } else if (message.json !== undefined) {
      body = JSON.stringify(message.json);
      headers['content-type'] = 'application/json';
      shownBody = message.json;
    }
    const started = Date.now();
    const observed: ObservedExchange = {
      step: message.step,
      clause: message.clause,
      context: message.context,
      ...(message.interactionId ? { interactionId: message.interactionId } : {}),
      method: message.method,
      url: message.url,
      requestHeaders: headers,
      requestBody: shownBody,
      durationMs: 0,
      bent,
      ...(message.nonceRetry ? { nonceRetry: true } : {}),
    };
    let response: Awaited<ReturnType<typeof fetch>>;
    try {
      response = await fetch(message.url, {
        method: message.method,
        headers,
        body,
        dispatcher: message.dispatcher,
        redirect: 'manual',
        signal: AbortSignal.timeout(15_000),
      });
    } catch (failure) {
      options.observer?.exchange?.({ ...observed, durationMs: Date.now() - started, failure });
      throw failure;
    }
    const text = await response.text();
    const responseHeaders = headerRecord(response.headers);
    const parsed = parseBody(text, response.headers.get('content-type'));
    const recorded = options.observer?.exchange?.({
      ...observed,
      status: response.status,
      responseHeaders,
      responseBody: parsed,
      durationMs: Date.now() - started,
    }) as Recorded;
    return {
      status: response.status,
      headers: responseHeaders,
      body: parsed,
      text,
      ok: response.status >= 200 && response.status < 300,
      recorded,
    };
  };
}
