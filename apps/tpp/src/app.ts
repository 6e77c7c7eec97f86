// Composition root of the TPP: every dependency built once, from the configuration, and handed down.
// The back end holds every key and certificate; the browser gets views and a session cookie.

import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createDirectoryClient } from '@fapi-sandbox/fapi-core/directory-client';
import { expressErrorHandler } from '@fapi-sandbox/fapi-core/errors';
import { loadSigningKeys } from '@fapi-sandbox/fapi-core/jose/keys';
import { certificateThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { createSandboxAgent, readPem, transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import { handleTraceQuery } from '@fapi-sandbox/fapi-core/trace';
import express, { type Express, Router } from 'express';
import type { Agent } from 'undici';
import { createBankApiClient } from './bank-api/client.js';
import { createConnectionService } from './connect/connections.js';
import { createTokenEndpoint } from './connect/token-endpoint.js';
import { createPartyClient } from './http/party-client.js';
import { securityHeaders } from './http/security-headers.js';
import { createDirectoryCalls, traceDirectoryExchange } from './onboarding/directory.js';
import { createOnboarding } from './onboarding/onboarding.js';
import { createRegistrar } from './onboarding/registration.js';
import { apiRoutes } from './routes/api.js';
import { callbackRoutes } from './routes/callback.js';
import { createConnectionStore } from './store/connections.js';
import { type Db, openDatabase } from './store/database.js';
import { createRegistrationStore } from './store/registrations.js';
import { createSessionStore } from './store/sessions.js';
import { createTraceCollector } from './trace/collector.js';
import { createTraceLog } from './trace/trace-log.js';

export interface TppApp {
  app: Express;
  /** Where the React app's middleware goes (Vite or the prebuilt files), before the error handler. */
  web: Router;
  db: Db;
  agents: Agent[];
}

export async function buildTpp(options: {
  config: SandboxConfig;
  log: (line: string) => void;
  /** The TPP's clock, ms since the epoch (tests move it to reach token expiry). */
  now?: () => number;
}): Promise<TppApp> {
  const { config, log } = options;
  const participant = config.participants.demo;
  const redirectUri = participant.redirectUris[0]!;

  const db = openDatabase(config.dataDir);
  const trace = createTraceLog(db);
  const webAgent = createSandboxAgent({}, config);
  const transportAgent = transportAgentFor(participant, config);
  const signingKeys = await loadSigningKeys(participant.signingJwks);
  const transportThumbprint = certificateThumbprint(readPem(participant.transportCert).toString('utf8'));

  const party = createPartyClient({ config, trace });
  const registrations = createRegistrationStore(db);
  const sessions = createSessionStore(db);
  const store = createConnectionStore(db);
  const directory = createDirectoryCalls({
    config,
    client: createDirectoryClient({
      config,
      dispatcher: webAgent,
      onExchange: traceDirectoryExchange(trace),
    }),
    trace,
    participant,
    transportAgent,
  });
  const registrar = createRegistrar({
    party,
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
    party,
    trace,
    webAgent,
  });
  const connections = createConnectionService({
    store,
    onboarding,
    tokens: createTokenEndpoint({ party, trace }),
    bankApi: createBankApiClient({ config, party }),
    party,
    trace,
    signingKeys,
    transportAgent,
    webAgent,
    transportThumbprint,
    redirectUri,
    now: options.now ?? Date.now,
  });
  const collector = createTraceCollector({ config, trace, webAgent, transportAgent, partyOf: party.partyOf });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityHeaders());
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', party: 'tpp' });
  });
  // The TPP's own events, like every party's: GET /trace?interaction_id=<uuid>.
  app.get('/trace', (req, res) => {
    const query = req.query as Record<string, unknown>;
    res.set('Cache-Control', 'no-store').json({ events: handleTraceQuery(trace.recorder, query) });
  });
  app.use(callbackRoutes({ connections, sessions, origin: config.tpp.web.origin }));
  app.use('/api', apiRoutes({ sessions, onboarding, connections, store, collector }));
  const web = Router();
  app.use(web);
  app.use(
    expressErrorHandler(
      (err) => log(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
      // A bank's refusal relayed as a 502 (PartyError) is expected too: one line, no stack.
      log,
    ),
  );
  return { app, web, db, agents: [webAgent, transportAgent] };
}
