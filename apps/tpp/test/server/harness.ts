// A whole sandbox in one test process: the real directory (and, when asked, bank-op and bank-api) and
// the TPP on free ports with a fresh data folder, plus a small browser stand-in: a cookie jar and undici
// requests that follow the TPP's JSON API the way the React app does.

import { startBankApi } from '@fapi-sandbox/bank-api';
import { startBankOp } from '@fapi-sandbox/bank-op';
import { startDirectory } from '@fapi-sandbox/directory';
import { type CookieJar, cookieHeader, keepCookies } from '@fapi-sandbox/fapi-client/customer';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import {
  isolatedConfig,
  isolatedConfigWithOwnCertificates,
  removeTestData,
} from '@fapi-sandbox/fapi-core/testing';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { type Agent, fetch } from 'undici';
import { type StartTppOptions, startTpp } from '../../src/index.js';

export interface Party {
  stop(): Promise<void>;
}

export interface Sandbox {
  config: SandboxConfig;
  browser: Browser;
  /** Starts the bank's parties (bank-op and bank-api) into this sandbox. */
  parties: Party[];
  close(): Promise<void>;
}

export type BankStarter = (config: SandboxConfig) => Promise<Party[]>;

/** The real bank: bank-op, then bank-api (which reads bank-op's keys). */
export const realBank: BankStarter = async (config) => {
  const op = await startBankOp({ config });
  const api = await startBankApi({ config });
  return [api, op];
};

export async function startSandbox(
  options: {
    bank?: BankStarter;
    tpp?: Pick<StartTppOptions, 'now'>;
    /** A copy of the certificates of its own, for a test that makes the directory rewrite them (a reissue). */
    ownCertificates?: boolean;
  } = {},
): Promise<Sandbox> {
  const config = options.ownCertificates ? await isolatedConfigWithOwnCertificates() : await isolatedConfig();
  const parties: Party[] = [];
  try {
    parties.push(await startDirectory({ config }));
    if (options.bank) parties.push(...(await options.bank(config)));
    parties.push(await startTpp({ config, web: 'none', ...options.tpp }));
  } catch (err) {
    await Promise.all(parties.map((p) => p.stop()));
    removeTestData(config);
    throw err;
  }
  const browser = new Browser(config);
  return {
    config,
    browser,
    parties,
    async close() {
      await browser.close();
      for (const party of [...parties].reverse()) await party.stop();
      removeTestData(config);
    },
  };
}

export interface BrowserResponse {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** What a browser does that matters here: it keeps cookies per host and trusts the sandbox CA. */
export class Browser {
  readonly agent: Agent;
  /** The same jar the scripted bank customer keeps (fapi-client), so the two are one browser. */
  readonly cookies: CookieJar = new Map();

  constructor(readonly config: SandboxConfig) {
    this.agent = createSandboxAgent({}, config);
  }

  async request(
    url: string,
    init: { method?: string; json?: unknown; form?: Record<string, string> | URLSearchParams } = {},
  ): Promise<BrowserResponse> {
    const headers: Record<string, string> = {};
    const cookie = cookieHeader(this.cookies, new URL(url));
    if (cookie) headers.cookie = cookie;
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const method = init.method ?? (body ? 'POST' : 'GET');
    // A browser names the page a state-changing request comes from; here, a page of the same origin.
    if (method !== 'GET' && method !== 'HEAD') headers.origin = new URL(url).origin;
    const response = await fetch(url, {
      method,
      headers,
      body,
      dispatcher: this.agent,
      redirect: 'manual',
    });
    keepCookies(this.cookies, new URL(url), response.headers.getSetCookie());
    const text = await response.text();
    let parsed: unknown = text;
    if (response.headers.get('content-type')?.includes('json')) parsed = JSON.parse(text);
    return { status: response.status, headers: response.headers, body: parsed, text };
  }

  /** The TPP's JSON API, as the React app calls it. */
  api(path: string, init: { method?: string; json?: unknown } = {}): Promise<BrowserResponse> {
    return this.request(`${this.config.tpp.web.origin}/api${path}`, init);
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
