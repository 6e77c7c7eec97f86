// What every interaction step shares, built once by the composition root (routes.ts): the provider,
// the bank's domain, the form token and passcodes, and how a step answers (a page, or a result handed
// back to oidc-provider, OIDC Core §3.1.2.5-6).
import type { BankStore } from '@fapi-sandbox/bank-domain';
import { oauthSafeText } from '@fapi-sandbox/fapi-core/errors';
import type { Logger } from '@fapi-sandbox/fapi-core/log';
import type { Request, Response } from 'express';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import type { DirectoryReads } from '../participants/directory.js';
import { createFormToken, type FormToken } from './form-token.js';
import { PAGE_CSP } from './layout.js';
import { createPasscodes, type Passcodes } from './passcode.js';

export interface InteractionDependencies {
  provider: Provider;
  bank: BankStore;
  directory: DirectoryReads;
  bankName: string;
  /** Secret for the per-interaction CSRF token and the one-time passcodes. */
  secret: Buffer;
  /** One line per sign-in the bank no longer holds (an expected refusal, like every other). */
  log?: Logger;
}

export type Details = Awaited<ReturnType<Provider['interactionDetails']>>;

export interface TppShown {
  name: string;
  logoUri?: string;
  orgName?: string;
}

export interface InteractionContext {
  provider: Provider;
  bank: BankStore;
  bankName: string;
  log?: Logger;
  formToken: FormToken;
  passcodes: Passcodes;
  /** Sends one of the bank's pages: its own CSP, never cached. */
  send(res: Response, status: number, body: string): void;
  /** Hands the step's result back to oidc-provider, which redirects the browser on. */
  finish(req: Request, res: Response, result: InteractionResults, merge: boolean): Promise<void>;
  /** Ends the authorization with an error the TPP receives at its redirect_uri. */
  refuse(req: Request, res: Response, error: string, description: string): Promise<void>;
  /** The TPP the request comes from, as the directory lists it (the client's own metadata otherwise). */
  tppOf(details: Details): Promise<TppShown>;
  tppNamed(clientId: string): Promise<TppShown>;
}

export function createInteractionContext(deps: InteractionDependencies): InteractionContext {
  const { provider, bank, directory, bankName, secret } = deps;

  async function finish(
    req: Request,
    res: Response,
    result: InteractionResults,
    merge: boolean,
  ): Promise<void> {
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: merge });
  }

  async function tppNamed(clientId: string): Promise<TppShown> {
    const client = await provider.Client.find(clientId);
    const softwareId = (client as unknown as { software_id?: string } | undefined)?.software_id;
    const fallback = { name: client?.clientName ?? 'An app', logoUri: client?.logoUri };
    try {
      const listed = (await directory.participants()).softwareStatements.find(
        (s) => s.softwareId === softwareId,
      );
      return listed
        ? { name: listed.clientName, logoUri: listed.logoUri ?? fallback.logoUri, orgName: listed.orgName }
        : fallback;
    } catch {
      return fallback;
    }
  }

  return {
    provider,
    bank,
    bankName,
    log: deps.log,
    formToken: createFormToken(secret),
    passcodes: createPasscodes(secret),
    send(res, status, body) {
      res
        .status(status)
        .set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store' })
        .type('html')
        .send(body);
    },
    finish,
    async refuse(req, res, error, description) {
      await finish(req, res, { error, error_description: oauthSafeText(description) }, false);
    },
    tppOf: (details) => tppNamed(String(details.params.client_id)),
    tppNamed,
  };
}
