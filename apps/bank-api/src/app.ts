// Composition root of bank-api's express app: every dependency is handed in (see index.ts).
// One mTLS listener (client certificate optional at the TLS layer, decided per request by the pipeline)
// serves the Open Banking API under /open-banking/v3.1, its OpenAPI document, health and the trace.
import { randomUUID, X509Certificate } from 'node:crypto';
import type { BankStore } from '@fapi-sandbox/bank-domain';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { expressErrorHandler, OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { INTERACTION_ID_HEADER, isUuid } from '@fapi-sandbox/fapi-core/fapi-headers';
import type { SigningKeySet } from '@fapi-sandbox/fapi-core/jose/keys';
import { type Logger, requestLogger } from '@fapi-sandbox/fapi-core/log';
import { peerCertificateOf } from '@fapi-sandbox/fapi-core/peer-certificate';
import { transportSecurityHeaders } from '@fapi-sandbox/fapi-core/security-headers';
import { readPem } from '@fapi-sandbox/fapi-core/tls';
import { handleTraceQuery, type TraceRecorder, traceReaderOf } from '@fapi-sandbox/fapi-core/trace';
import { refuseOutsideWebRoot } from '@fapi-sandbox/fapi-core/web-root';
import express, { type Request } from 'express';
import { ObRequestError, obErrorHandler } from './errors.js';
import { createApiContract, enforceResponseContract } from './openapi/contract.js';
import { openApiDocument } from './openapi/document.js';
import { createPipeline, defaultChecks, type PipelineDependencies } from './pipeline.js';
import { signResponses } from './response-signing.js';
import { accountAccessConsentRoutes } from './routes/account-access-consents.js';
import { accountRoutes } from './routes/accounts.js';
import type { RouteDependencies } from './routes/dependencies.js';
import { paymentRoutes } from './routes/payments.js';
import { sandboxRulesRoute } from './routes/sandbox-rules.js';

export const API_BASE_PATH = '/open-banking/v3.1';

/** The methods whose request body the API reads. */
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

export interface BankApiAppDependencies {
  config: SandboxConfig;
  store: BankStore;
  trace: TraceRecorder;
  checks: Omit<PipelineDependencies, 'store'>;
  log: Logger;
  /** bank-api's own signing keys: it signs responses to signed requests and publishes them at /jwks. */
  signingKeys: SigningKeySet;
}

/** Short names for the trace timeline. */
function stepOf(req: Request): string {
  const path = req.path;
  if (path.startsWith('/aisp/account-access-consents')) return `${req.method} account-access consent`;
  if (path.endsWith('/balances')) return 'GET balances';
  if (path.endsWith('/transactions')) return 'GET transactions';
  if (path.startsWith('/aisp/accounts')) return 'GET accounts';
  if (path.endsWith('/funds-confirmation')) return 'GET funds confirmation';
  if (path.startsWith('/pisp/domestic-payment-consents')) return `${req.method} domestic-payment consent`;
  if (path.startsWith('/pisp/domestic-payments')) return `${req.method} domestic payment`;
  return `${req.method} ${path}`;
}

/**
 * The Open Banking resource routers, one per API area, each mounted on the API router as it is (a test
 * walks them against the OpenAPI document).
 */
export function openBankingRoutes(deps: RouteDependencies): express.Router[] {
  return [accountAccessConsentRoutes(deps), accountRoutes(deps), paymentRoutes(deps)];
}

export function createBankApiApp(deps: BankApiAppDependencies): express.Express {
  const { config, store, trace } = deps;
  const baseUrl = config.bankApi.baseUrl;
  const directoryCa = new X509Certificate(readPem(config.ca.directory));
  const checks = defaultChecks({ ...deps.checks, store });
  const pipeline = createPipeline({
    checks,
    origin: config.bankApi.web.origin,
    ...(deps.checks.nonces ? { nonces: deps.checks.nonces } : {}),
  });

  const contract = createApiContract();

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLogger(deps.log));

  // FAPI 1.0 Part 1 §6.2.1-11: every response carries x-fapi-interaction-id (the client's UUID, or a minted
  // one), set before anything can fail. Node adds the Date header to every response (§6.2.1-10).
  app.use((req, res, next) => {
    const sent = req.headers[INTERACTION_ID_HEADER];
    const id = typeof sent === 'string' && isUuid(sent) ? sent : randomUUID();
    res.setHeader(INTERACTION_ID_HEADER, id);
    res.locals.interactionId = id;
    next();
  });
  app.use(transportSecurityHeaders());
  // Nothing outside the routes: certs/ and data/ (keys, the bank's store) never leave over HTTP.
  app.use(refuseOutsideWebRoot());

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', party: 'bank-api' });
  });

  // A participant reads the events that concern it, identified by its transport certificate (RFC 8705 §2.1).
  app.get('/trace', (req, res) => {
    const traceUrl = `${config.bankApi.web.origin}/trace`;
    const reader = traceReaderOf(peerCertificateOf(req.socket), directoryCa, traceUrl);
    const params = new URL(req.originalUrl, config.bankApi.web.origin).searchParams;
    res.set('Cache-Control', 'no-store').json({ events: handleTraceQuery(trace, params, reader) });
  });

  app.get('/sandbox/rules', sandboxRulesRoute(checks));

  // The public half of the keys bank-api signs its responses with (RFC 7517 §5), over the bank's TLS.
  app.get('/jwks', (_req, res) => {
    res.set('Cache-Control', 'max-age=300').json(deps.signingKeys.publicJwks());
  });

  app.get(`${API_BASE_PATH}/openapi.json`, (_req, res) => {
    res.json(openApiDocument(baseUrl));
  });

  const api = express.Router();
  api.use(pipeline.traceCalls(trace, stepOf, directoryCa));
  api.use(
    signResponses({
      key: deps.signingKeys.forAlg('ES256'),
      origin: config.bankApi.web.origin,
      log: deps.log,
    }),
  );
  api.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  // Every JSON answer, success or error, is checked against the OpenAPI document before it leaves.
  api.use(enforceResponseContract(contract, deps.log));
  // RFC 9110 §9.3.1-2, §9.3.5: a GET, HEAD or DELETE body has no meaning, so only POST, PUT and PATCH are
  // parsed (a malformed one gets the OB 400 from obErrorHandler); the read calls skip the parser entirely.
  // The bytes are kept for the Content-Digest of a signed request (RFC 9530 §2).
  const parseJson = express.json({
    limit: '64kb',
    verify: (req, _res, bytes) => {
      (req as Request & { rawBody?: Buffer }).rawBody = bytes;
    },
  });
  api.use((req, res, next) => (METHODS_WITH_BODY.has(req.method) ? parseJson(req, res, next) : next()));
  api.use(openBankingRoutes({ store, pipeline, contract, baseUrl }));
  api.use((req) => {
    throw new ObRequestError(
      404,
      'UK.OBIE.Resource.NotFound',
      `There is no ${req.method} ${API_BASE_PATH}${req.path}`,
      undefined,
      `see ${baseUrl}/openapi.json for the endpoints this bank serves`,
    );
  });
  api.use(obErrorHandler(deps.log));
  app.use(API_BASE_PATH, api);

  app.use((req) => {
    throw new OAuthError({
      status: 404,
      error: 'not_found',
      description: `There is no ${req.method} ${req.path}`,
      fix: `the API is under ${baseUrl}`,
    });
  });
  app.use(expressErrorHandler(deps.log));
  return app;
}
