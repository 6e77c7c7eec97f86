// Composition root of bank-op's two listeners, both in front of one oidc-provider:
//   web  (https://bank.localhost:9443): discovery, JWKS, the authorization endpoint, the customer's
//        sign-in and consent pages; also the back-channel endpoints for clients that use no certificate.
//   mTLS (https://mtls.bank.localhost:9444): the mtls_endpoint_aliases (RFC 8705 §5) — PAR, token,
//        introspection, revocation, registration — where the client certificate is read from TLS.
import { X509Certificate } from 'node:crypto';
import type { BankStore } from '@fapi-sandbox/bank-domain';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import {
  clauseOf,
  expressErrorHandler,
  isExpectedRefusal,
  OAuthError,
  toErrorResponse,
} from '@fapi-sandbox/fapi-core/errors';
import { type Logger, logFailure, logRefusal, requestLogger } from '@fapi-sandbox/fapi-core/log';
import { transportSecurityHeaders } from '@fapi-sandbox/fapi-core/security-headers';
import { readPem } from '@fapi-sandbox/fapi-core/tls';
import type { TraceRecorder } from '@fapi-sandbox/fapi-core/trace';
import { refuseOutsideWebRoot } from '@fapi-sandbox/fapi-core/web-root';
import express, { type NextFunction, type Request, type Response } from 'express';
import type Provider from 'oidc-provider';
import type { Dispatcher } from 'undici';
import type { FlowIds } from './http/flow-ids.js';
import { postOnly } from './http/post-only.js';
import { sandboxRulesRoute } from './http/sandbox-rules.js';
import { channelByEndpoint, traceOnWebListener, traceQueryRoute, traceRequests } from './http/trace.js';
import { bankAppRoutes } from './interactions/bank-app.js';
import { errorPage } from './interactions/error-page.js';
import { PAGE_CSP } from './interactions/layout.js';
import { interactionRoutes } from './interactions/routes.js';
import type { CertificateBinding } from './mtls/certificate-binding.js';
import type { CertificateSource } from './mtls/client-certificate.js';
import type { DirectoryReads } from './participants/directory.js';
import { createStatusGate } from './participants/status-gate.js';
import type { BankAppInbox } from './provider/bank-app-inbox.js';
import { type RegisteredClient, refreshClientKeys } from './provider/client-keys.js';
import { ROUTES } from './provider/discovery.js';
import { registrationGate, registrationOnlyOverMtls } from './registration/gate.js';

export interface BankOpServices {
  config: SandboxConfig;
  provider: Provider;
  bank: BankStore;
  directory: DirectoryReads;
  /** The same reads, answers reused for the directory's max-age: for the per-request gates. */
  statusReads: DirectoryReads;
  directoryAgent: Dispatcher;
  certificates: CertificateSource;
  certificateBinding: CertificateBinding;
  recorder: TraceRecorder;
  /** Which x-fapi-interaction-id each request belongs to, front channel included. */
  flowIds: FlowIds;
  bankName: string;
  interactionSecret: Buffer;
  /** Decoupled authentication requests waiting for the customer's bank app (FAPI-CIBA). */
  bankAppInbox: BankAppInbox;
  log: Logger;
}

/** The endpoints that answer clients (not browsers) with JSON, behind the participant status gate. */
const BACK_CHANNEL = [
  ROUTES.pushed_authorization_request,
  ROUTES.token,
  ROUTES.introspection,
  ROUTES.revocation,
  ROUTES.backchannel_authentication,
];

/** fapi-core's OAuth JSON error body (its error_description is already in the RFC 6749 §5.2 charset). */
function oauthErrorHandlers(log: Logger) {
  return expressErrorHandler(log);
}

/** One line per request, under the flow's interaction id: the front channel's comes from FlowIds. */
function logRequests(services: BankOpServices) {
  return requestLogger(services.log, { interactionIdOf: (req) => services.flowIds.interactionIdOf(req) });
}

/** Browsers get the bank's error page; anything else the OAuth JSON error. */
function browserErrorPage(bankName: string, log: Logger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent || req.accepts(['json', 'html']) !== 'html') {
      next(err);
      return;
    }
    const { status, body } = toErrorResponse(err);
    if (isExpectedRefusal(err, status)) logRefusal(log, req, res, { status, ...body, clause: clauseOf(err) });
    else logFailure(log, req, res, err);
    res
      .status(status)
      .set({ 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-store' })
      .type('html')
      .send(errorPage({ bankName, error: body.error, description: body.error_description }));
  };
}

function gates(services: BankOpServices) {
  const findClient = async (clientId: string) =>
    (await services.provider.Client.find(clientId)) as unknown as RegisteredClient | undefined;
  const status = createStatusGate({
    directory: services.statusReads,
    certificates: services.certificates,
    findClient,
    refreshClientKeys,
  });
  return { status, findClient };
}

/** The Directory CA, which issues participants' transport certificates (the trace's readers). */
function directoryCaOf(config: SandboxConfig): X509Certificate {
  return new X509Certificate(readPem(config.ca.directory));
}

export function createWebApp(services: BankOpServices): express.Express {
  const { config, provider, certificates } = services;
  const app = express();
  app.disable('x-powered-by');
  app.use(logRequests(services));
  app.use(transportSecurityHeaders());
  // Nothing outside the routes: certs/ and data/ (the token-signing key, secrets.json) never leave over HTTP.
  app.use(refuseOutsideWebRoot());
  const callback = provider.callback() as (req: Request, res: Response) => void;
  const { status } = gates(services);

  app.use(
    traceRequests({
      recorder: services.recorder,
      channel: channelByEndpoint(ROUTES.authorization),
      certificates,
      flowIds: services.flowIds,
    }),
  );
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', party: 'bank-op' });
  });
  app.get('/trace', traceOnWebListener(config.bankOp.mtls.origin));
  app.get('/sandbox/rules', sandboxRulesRoute());
  app.use(certificates.rejectForwardedCertificates());
  const customerPages = {
    provider,
    bank: services.bank,
    directory: services.directory,
    bankName: services.bankName,
    secret: services.interactionSecret,
    log: services.log,
  };
  app.use(interactionRoutes(customerPages));
  // FAPI-CIBA: the bank app, the customer's authentication device for decoupled authentication.
  app.use(bankAppRoutes({ ...customerPages, inbox: services.bankAppInbox }));
  app.use(
    registrationOnlyOverMtls(ROUTES.registration, `${config.bankOp.mtls.origin}${ROUTES.registration}`),
  );
  app.get(ROUTES.authorization, status.frontChannel());
  // RFC 8705 §3: the directory's answer on the certificate a token would be bound to, before oidc-provider.
  app.post(ROUTES.token, services.certificateBinding.prefetch());
  for (const route of BACK_CHANNEL) {
    app.post(route, ...status.backChannel(callback));
    app.all(route, postOnly(route));
  }
  app.use(callback);
  app.use(browserErrorPage(services.bankName, services.log));
  app.use(oauthErrorHandlers(services.log));
  return app;
}

export function createMtlsApp(services: BankOpServices): express.Express {
  const { config, provider, certificates } = services;
  const app = express();
  app.disable('x-powered-by');
  app.use(logRequests(services));
  app.use(transportSecurityHeaders());
  app.use(refuseOutsideWebRoot());
  const callback = provider.callback() as (req: Request, res: Response) => void;
  const { status, findClient } = gates(services);
  const directoryCa = directoryCaOf(config);

  app.use(
    traceRequests({
      recorder: services.recorder,
      channel: () => 'back',
      certificates,
      flowIds: services.flowIds,
    }),
  );
  app.get('/trace', traceQueryRoute(services.recorder, directoryCa, config.bankOp.mtls.origin));
  app.use(certificates.rejectForwardedCertificates());
  app.use(
    registrationGate({
      path: ROUTES.registration,
      directory: services.directory,
      directoryIssuer: config.directory.web.origin,
      directoryOrigin: config.directory.web.origin,
      directoryAgent: services.directoryAgent,
      certificates,
      findClient,
      provider: callback,
    }),
  );
  // RFC 8705 §3: the directory's answer on the certificate a token would be bound to, before oidc-provider.
  app.post(ROUTES.token, services.certificateBinding.prefetch());
  for (const route of BACK_CHANNEL) {
    app.post(route, ...status.backChannel(callback));
    app.all(route, postOnly(route));
  }
  app.all(ROUTES.userinfo, callback);
  app.use((req, _res, next) => {
    next(
      new OAuthError({
        status: 404,
        error: 'not_found',
        description: `${req.method} ${req.path} is not served on the mTLS listener`,
        clause: 'RFC 8705 §5',
        fix: `use the endpoints in mtls_endpoint_aliases; discovery is at ${config.bankOp.issuer}/.well-known/openid-configuration`,
      }),
    );
  });
  app.use(oauthErrorHandlers(services.log));
  return app;
}
