// bank-op: the mock bank's FAPI OpenID Provider (oidc-provider 9 in express), FAPI 2.0 Security
// Profile and FAPI 1.0 Advanced per client. `startBankOp` opens its stores, builds the provider and
// starts the web and mTLS listeners from the configuration it is given. With REDIS_URL, what its replicas
// must share lives in Redis: its secrets, oidc-provider's short-lived models (storage/redis-adapter.ts), the
// links from a browser step to its flow (http/flow-links.ts) and its flow trace (fapi-core/trace-stream.ts),
// so that any replica's `/trace` lists every replica's events, each under its flow.
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { openBankStore } from '@fapi-sandbox/bank-domain';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createDirectoryClient } from '@fapi-sandbox/fapi-core/directory-client';
import { createLogger, type Logger, logFailure } from '@fapi-sandbox/fapi-core/log';
import { closeRedis, openRedis } from '@fapi-sandbox/fapi-core/redis';
import {
  close,
  createMtlsServer,
  createSandboxAgent,
  createWebServer,
  listen,
  readPem,
} from '@fapi-sandbox/fapi-core/tls';
import { TraceRecorder } from '@fapi-sandbox/fapi-core/trace';
import { shareTraceThroughRedis } from '@fapi-sandbox/fapi-core/trace-stream';
import type Provider from 'oidc-provider';
import { createMtlsApp, createWebApp } from './app.js';
import { FlowIds } from './http/flow-ids.js';
import { redisFlowLinks } from './http/flow-links.js';
import { traceFrontChannel } from './http/front-channel-trace.js';
import { traceTokenEndpoint } from './http/token-endpoint-trace.js';
import { createCertificateBinding } from './mtls/certificate-binding.js';
import { createCertificateSource, type TrustedProxy } from './mtls/client-certificate.js';
import type { DirectoryReads } from './participants/directory.js';
import { createBankAppInbox } from './provider/bank-app-inbox.js';
import { createProvider } from './provider/create-provider.js';
import { logProviderRefusals } from './provider/explain-errors.js';
import {
  loadEncryptionJwks,
  loadOrCreateSecrets,
  loadOrCreateSharedSecrets,
  loadSigningJwks,
} from './provider/keys-and-secrets.js';
import { withOneTimeUse } from './provider/one-time-use.js';
import { outboundFetch } from './provider/outbound-fetch.js';
import type { OidcStore } from './storage/oidc-store.js';
import { openOidcStore } from './storage/open-oidc-store.js';

export type { TrustedProxy } from './mtls/client-certificate.js';
export type { DirectoryReads } from './participants/directory.js';
export { ecosystemRules, profiles } from './profiles/index.js';

export interface BankOpOptions {
  config: SandboxConfig;
  /** Where its log lines go (default: JSON lines on stdout, see fapi-core/log). */
  log?: Logger;
  /** The directory's reads; by default over HTTPS to the configured directory. */
  directoryClient?: DirectoryReads;
  /** Accept client certificates forwarded by this TLS-terminating proxy (off unless given). */
  trustedProxy?: TrustedProxy;
}

export interface RunningBankOp {
  issuer: string;
  mtlsOrigin: string;
  provider: Provider;
  trace: TraceRecorder;
  /** oidc-provider's models, where this bank-op keeps them (storage/open-oidc-store.ts). */
  store: OidcStore;
  stop(): Promise<void>;
}

/** Where bank-op keeps its keys in a shared Redis. */
export const BANK_OP_REDIS_PREFIX = 'fapi:bank-op:';

export async function startBankOp(options: BankOpOptions): Promise<RunningBankOp> {
  const { config } = options;
  const log = options.log ?? createLogger('bank-op');
  const dataDir = path.join(config.dataDir, 'bank-op');

  const signingJwks = loadSigningJwks(config.bankOp.signingJwks);
  const encryptionJwks = loadEncryptionJwks(config.bankOp.encryptionJwks);
  // Opened first: an unreachable Redis (REDIS_URL) stops start-up before anything else is opened.
  const redis = config.redisUrl
    ? await openRedis({ url: config.redisUrl, party: 'bank-op', log })
    : undefined;
  // Cookie keys, the DPoP nonce secret (RFC 9449 §8) and the sign-in pages' secret: one set for all replicas.
  const secrets = redis
    ? await loadOrCreateSharedSecrets(redis, `${BANK_OP_REDIS_PREFIX}secrets`)
    : loadOrCreateSecrets(dataDir);
  const recorder = new TraceRecorder();
  const traceStream = redis
    ? await shareTraceThroughRedis({ redis, key: `${BANK_OP_REDIS_PREFIX}trace`, recorder, log })
    : undefined;
  const bank = await openBankStore({
    file: path.join(config.dataDir, 'bank', 'bank.sqlite'),
    url: config.databaseUrl,
  });
  const store = withOneTimeUse(
    await openOidcStore({
      dataDir,
      databaseUrl: config.databaseUrl,
      redis: redis ? { client: redis, prefix: `${BANK_OP_REDIS_PREFIX}oidc:` } : undefined,
    }),
  );
  const directoryAgent = createSandboxAgent({}, config);
  const directory = options.directoryClient ?? createDirectoryClient({ config, dispatcher: directoryAgent });
  // The gates every token, PAR and authorization request passes reuse the directory's word on a
  // certificate, a software statement or its keys only as long as its Cache-Control max-age allows
  // (apps/directory STATUS_MAX_AGE_SECONDS); registration, rare, asks afresh.
  const statusReads =
    options.directoryClient ??
    createDirectoryClient({ config, dispatcher: directoryAgent, reuseStatusAnswers: true });
  const certificates = createCertificateSource({
    directoryCa: new X509Certificate(readPem(config.ca.directory)),
    ...(options.trustedProxy ? { trustedProxy: options.trustedProxy } : {}),
  });
  const certificateBinding = createCertificateBinding({ directory: statusReads, certificates });
  const bankName = config.bank.orgName.replace(/ plc$/, '');
  const bankAppInbox = createBankAppInbox(store);

  const provider = createProvider({
    config,
    bank,
    store,
    signingJwks,
    encryptionJwks,
    secrets,
    certificates,
    certificateBinding,
    bankName,
    bankAppInbox,
    fetch: outboundFetch({ config, sandboxAgent: directoryAgent }) as never,
  });
  provider.on('server_error', (ctx, err) => logFailure(log, ctx.req, ctx.res, err));
  logProviderRefusals(provider, log);
  // Which flow a browser step belongs to: in Redis with replicas, since any of them may take the next step.
  const flowIds = new FlowIds(redis ? redisFlowLinks(redis, `${BANK_OP_REDIS_PREFIX}flow:`) : undefined);
  traceFrontChannel(provider, flowIds, recorder);
  traceTokenEndpoint(provider, certificates);

  const services = {
    config,
    provider,
    bank,
    directory,
    statusReads,
    directoryAgent,
    certificates,
    certificateBinding,
    recorder,
    flowIds,
    bankName,
    interactionSecret: secrets.interactionSecret,
    bankAppInbox,
    log,
  };
  const web = createWebServer(config.bankOp, createWebApp(services));
  const mtls = createMtlsServer(config.bankOp, createMtlsApp(services), config);
  try {
    await listen(web, config.bankOp.web);
    await listen(mtls, config.bankOp.mtls);
  } catch (err) {
    await Promise.all([close(web), close(mtls)]);
    await store.close();
    await bank.close();
    await traceStream?.close();
    await Promise.all([directoryAgent.close(), ...(redis ? [closeRedis(redis)] : [])]);
    throw err;
  }
  log.info(
    { issuer: config.bankOp.issuer, mtlsOrigin: config.bankOp.mtls.origin },
    `ready: ${config.bankOp.issuer} (web), ${config.bankOp.mtls.origin} (mTLS)`,
  );

  return {
    issuer: config.bankOp.issuer,
    mtlsOrigin: config.bankOp.mtls.origin,
    provider,
    trace: services.recorder,
    store,
    async stop() {
      await Promise.all([close(web), close(mtls)]);
      await store.close();
      await bank.close();
      await traceStream?.close();
      await Promise.all([directoryAgent.close(), ...(redis ? [closeRedis(redis)] : [])]);
    },
  };
}
