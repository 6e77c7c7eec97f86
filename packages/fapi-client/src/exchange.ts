// One HTTP exchange of the client engine: the bend hook sees the request, undici sends it over the
// sandbox's TLS (with the certificate its dispatcher presents), and the observer sees request and answer.
// Redirects are not followed: a FAPI back channel never redirects, and the caller reads front-channel ones.
import { fetch } from 'undici';
import { type Bend, bendHttp, type HttpMessage } from './bend.js';
import type { FapiObserver } from './observer.js';

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

/** The default exchange: undici, 15 s timeout, the bend hook, then the observer. */
export function createExchange(options: { observer?: FapiObserver; bend?: Bend } = {}): Exchange {
  return async (original) => {
    const { message, bent } = bendHttp(options.bend, original);
    const headers: Record<string, string> = { accept: 'application/json', ...message.headers };
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
    const observed = {
      step: message.step,
      clause: message.clause,
      context: message.context,
      method: message.method,
      url: message.url,
      requestHeaders: headers,
      requestBody: shownBody,
      bent,
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
    options.observer?.exchange?.({
      ...observed,
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
      ok: response.status >= 200 && response.status < 300,
    };
  };
}
