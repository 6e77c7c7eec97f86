// Composition root of the TPP: every dependency built once, from the configuration, and handed down.
// The back end holds every key and certificate; the browser gets views and a session cookie.

import { participantDecryptionKeys } from '@fapi-sandbox/fapi-client';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { CurrentTransportAgent } from '@fapi-sandbox/fapi-core/current-transport-agent';
import { expressErrorHandler, OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { currentSigningKeys } from '@fapi-sandbox/fapi-core/jose/current-signing-keys';
import { type Logger, requestLogger } from '@fapi-sandbox/fapi-core/log';
import { sameOriginStateChanges } from '@fapi-sandbox/fapi-core/same-origin';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import express, { type Express, Router } from 'express';
import type { Dispatcher } from 'undici';
import { createBankApiClient } from './bank-api/client.js';
import { createConnectionService } from './connect/connections.js';
import { createPingReceiver } from './connect/decoupled-ping.js';
import { createPartyOf, createTppEngine } from './connect/engine.js';
import { createTokenEndpoint } from './connect/token-endpoint.js';
import { securityHeaders } from './http/security-headers.js';
import { createDirectoryCalls } from './onboarding/directory.js';
import { createOnboarding } from './onboarding/onboarding.js';
import { createRegistrar } from './onboarding/registration.js';
import { apiRoutes } from './routes/api.js';
import { attackRoutes } from './routes/attacks.js';
import { callbackRoutes } from './routes/callback.js';
import { decoupledRoutes, pingRoutes } from './routes/decoupled.js';
import { rulesRoutes } from './routes/rules.js';
import { createBankRulesReader } from './rules/bank-rules.js';
import { createBackchannelRequestStore } from './store/backchannel-requests.js';
import { createConnectionStore } from './store/connections.js';
import { type Db, openDatabase } from './store/database.js';
import { createRegistrationStore } from './store/registrations.js';
import { createSessionStore } from './store/sessions.js';
import { createTraceCollector } from './trace/collector.js';
import { createTraceLog } from './trace/trace-log.js';

const SAME_ORIGIN_FIX = (origin: string) =>
  `use Moneywise's own pages at ${origin}; a script calling its JSON API sends Origin: ${origin}`;

/** The React app's scripts, styles and images (Vite's modules in dev): not worth a log line each. */
function isWebModule(req: { url?: string }): boolean {
  return /^\/(@|node_modules\/|src\/web\/|assets\/)|\.[A-Za-z0-9]+$/.test(
    (req.url ?? '').split('?')[0] ?? '',
  );
}

export interface TppApp {
  app: Express;
  /** In front of every route: where web-serving.ts puts its guard of the web root. */
  frontDoor: Router;
  /** Where the React app's middleware goes (Vite or the prebuilt files), before the error handler. */
  web: Router;
  db: Db;
  agents: Dispatcher[];
  /** Stops the waits in progress (decoupled connections polling the bank). */
  stopBackground(): void;
  /** Closes the store once the trace events already recorded are written. */
  closeStore(): Promise<void>;
}

export async function buildTpp(options: {
  config: SandboxConfig;
  log: Logger;
  /** The TPP's clock, ms since the epoch (tests move it to reach token expiry). */
  now?: () => number;
}): Promise<TppApp> {
  const { config, log } = options;
  const participant = config.participants.demo;
  const redirectUri = participant.redirectUris[0]!;

  const { db } = await openDatabase({ dataDir: config.dataDir, url: config.tppDatabaseUrl });
  const trace = createTraceLog(db, log);
  const webAgent = createSandboxAgent({}, config);
  // Follows certs/participants/<slug>/transport.*: a certificate the directory reissues is used at the next call.
  const transportAgent = new CurrentTransportAgent(participant, config);
  // Follows certs/participants/<slug>/signing.private.jwks.json: a signing key the directory reissues signs the next request.
  const signingKeys = currentSigningKeys(participant.signingJwks);
  await signingKeys();

  // Every back-channel message goes through the client engine; the trace observes each exchange.
  const engine = createTppEngine({ config, trace });
  const registrations = createRegistrationStore(db);
  const sessions = createSessionStore(db);
  const store = createConnectionStore(db);
  const backchannelRequests = createBackchannelRequestStore(db);
  const directory = createDirectoryCalls({ config, engine, trace, participant, transportAgent, webAgent });
  const registrar = createRegistrar({
    engine,
    trace,
    store: registrations,
    transportAgent,
    redirectUri,
    clientName: participant.clientName,
  });
  const onboarding = createOnboarding({
    db,
    participant,
    directory,
    registrar,
    registrations,
    engine,
    trace,
    webAgent,
  });
  const connections = createConnectionService({
    store,
    backchannelRequests,
    onboarding,
    tokens: createTokenEndpoint({ engine, trace }),
    bankApi: createBankApiClient({ config, engine, trace, webAgent }),
    engine,
    trace,
    signingKeys,
    encryptionKeys: async () => participantDecryptionKeys(participant),
    transportAgent,
    webAgent,
    transportThumbprint: () => transportAgent.thumbprint(),
    redirectUri,
    now: options.now ?? Date.now,
  });
  const collector = createTraceCollector({ config, trace, transportAgent, partyOf: createPartyOf(config) });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(requestLogger(log, { ignore: isWebModule }));
  app.use(securityHeaders());
  const frontDoor = Router();
  app.use(frontDoor);
  // CIBA §10.2: the bank's ping, authenticated by its Bearer token; no browser sends it, so it comes
  // before the same-origin rule below.
  const now = options.now ?? Date.now;
  const receivePing = createPingReceiver({
    requests: backchannelRequests,
    store,
    trace,
    decoupled: connections.decoupled,
    now,
  });
  app.use(pingRoutes({ receive: receivePing, origin: config.tpp.web.origin }));
  // A cross-site page cannot make the learner's browser onboard, connect, pay or disconnect.
  app.use(sameOriginStateChanges(config.tpp.web.origin, SAME_ORIGIN_FIX(config.tpp.web.origin)));
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', party: 'tpp' });
  });
  // The TPP's events concern its customers: a browser reads those of its own connections only, through
  // /api/connections/<id>/trace (the session's), never a TPP-wide /trace.
  app.get('/trace', () => {
    throw new OAuthError({
      status: 404,
      error: 'not_found',
      description:
        'Moneywise has no public trace: its events belong to the customer whose connection they are',
      fix: "open a connection's flow inspector, or GET /api/connections/<id>/trace in the same browser session",
    });
  });
  app.use(callbackRoutes({ connections, sessions, origin: config.tpp.web.origin }));
  app.use('/api', rulesRoutes({ bankRules: createBankRulesReader({ config, engine, webAgent }) }));
  app.use('/api', decoupledRoutes({ sessions, decoupled: connections.decoupled, store }));
  app.use('/api', attackRoutes({ config, trace, participant, sessions, store }));
  app.use('/api', apiRoutes({ sessions, onboarding, connections, store, collector }));
  const web = Router();
  app.use(web);
  // A bank's refusal relayed as a 502 (PartyError) is expected too: one line, no stack.
  app.use(expressErrorHandler(log));
  return {
    app,
    frontDoor,
    web,
    db,
    agents: [webAgent, transportAgent],
    stopBackground: () => connections.decoupled.close(),
    async closeStore() {
      await trace.written();
      await db.destroy();
    },
  };
}
