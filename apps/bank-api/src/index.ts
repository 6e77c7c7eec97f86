// Starts bank-api: the Open Banking resource server on its mTLS listener (config.bankApi.web, which asks
// for an optional client certificate). Builds every dependency here and hands it to the app. What its
// replicas must share (shared-state.ts) lives in Redis when REDIS_URL is set, else in this process.
import path from 'node:path';
import { type BankStore, openBankStore } from '@fapi-sandbox/bank-domain';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createDirectoryClient } from '@fapi-sandbox/fapi-core/directory-client';
import { loadSigningKeys } from '@fapi-sandbox/fapi-core/jose/keys';
import { createLogger, type Logger } from '@fapi-sandbox/fapi-core/log';
import { close, createMtlsServer, createSandboxAgent, listen } from '@fapi-sandbox/fapi-core/tls';
import { TraceRecorder } from '@fapi-sandbox/fapi-core/trace';
import { createBankApiApp } from './app.js';
import { createIntrospectionClient } from './introspection.js';
import { bankOpKeys } from './jwks.js';
import { openSharedState } from './shared-state.js';

export interface StartBankApiOptions {
  config: SandboxConfig;
  /** Where its log lines go (default: JSON lines on stdout, see fapi-core/log). */
  log?: Logger;
  /**
   * RFC 9449 §9: require a server-issued nonce in DPoP proofs (default true). Clients get
   * 401 use_dpop_nonce with a DPoP-Nonce header on their first call and retry once.
   */
  requireDpopNonce?: boolean;
  /** The clock the checks read (token exp/nbf, DPoP iat and nonces, consent expiry), ms since the epoch. */
  now?: () => number;
  /**
   * Refuse unsigned payment calls (FAPI 2.0 HTTP Signatures §5.3.1.2-3; default false). Signed calls are
   * verified regardless.
   */
  requireSignatures?: boolean;
}

export interface RunningBankApi {
  origin: string;
  /** `<origin>/open-banking/v3.1` */
  baseUrl: string;
  trace: TraceRecorder;
  store: BankStore;
  stop(): Promise<void>;
}

export function bankStoreFile(config: SandboxConfig): string {
  return path.join(config.dataDir, 'bank', 'bank.sqlite');
}

export async function startBankApi(options: StartBankApiOptions): Promise<RunningBankApi> {
  const { config } = options;
  const log = options.log ?? createLogger('bank-api');
  const now = options.now;
  const trace = new TraceRecorder();
  // Opened first: an unreachable Redis (REDIS_URL) stops start-up before anything else is opened.
  const shared = await openSharedState(config, log, trace, now);
  const signingKeys = await loadSigningKeys(config.bankApi.signingJwks);
  const store = await openBankStore({ file: bankStoreFile(config), url: config.databaseUrl });
  const agent = createSandboxAgent({}, config);
  // bank-api's own transport certificate, for bank-op's introspection endpoint (RFC 8705 §2.1).
  const introspectionAgent = createSandboxAgent(
    { certFile: config.bankApi.introspectionCert, keyFile: config.bankApi.introspectionKey },
    config,
  );
  const keys = bankOpKeys(`${config.bankOp.issuer}/jwks`, agent);
  // The directory's word on a certificate or software is reused only as long as its max-age allows
  // (apps/directory STATUS_MAX_AGE_SECONDS): a suspension bites at the next call after that window.
  const directory = createDirectoryClient({ config, dispatcher: agent, reuseStatusAnswers: true });

  const app = createBankApiApp({
    config,
    store,
    trace,
    log,
    signingKeys,
    checks: {
      replayCache: shared.replayCache,
      ...(options.requireDpopNonce === false ? {} : { nonces: shared.nonces }),
      ...(now ? { now } : {}),
      certificateStatus: (x5tS256) => directory.certificateStatus(x5tS256),
      softwareStatement: (orgId, softwareId) => directory.softwareStatement(orgId, softwareId),
      softwareJwks: (orgId, softwareId) => directory.softwareJwks(orgId, softwareId),
      requireSignatures: options.requireSignatures ?? false,
      keys,
      issuer: config.bankOp.issuer,
      introspect: createIntrospectionClient({
        endpoint: `${config.bankOp.mtls.origin}/token/introspect`,
        dispatcher: introspectionAgent,
        keys,
        issuer: config.bankOp.issuer,
      }),
      audience: config.bankApi.web.origin,
    },
  });
  const server = createMtlsServer(config.bankApi, app, config);
  try {
    await listen(server, config.bankApi.web);
  } catch (err) {
    await store.close();
    await Promise.all([agent.close(), introspectionAgent.close(), shared.close()]);
    throw err;
  }
  return {
    origin: config.bankApi.web.origin,
    baseUrl: config.bankApi.baseUrl,
    trace,
    store,
    async stop() {
      await close(server);
      await store.close();
      await Promise.all([agent.close(), introspectionAgent.close(), shared.close()]);
    },
  };
}
