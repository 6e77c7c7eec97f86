// Composition root: builds the directory's services from the config and the two express apps, one per
// listener. Nothing below reads global state; everything arrives from here.
import path from 'node:path';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { expressErrorHandler } from '@fapi-sandbox/fapi-core/errors';
import { fapiHeadersMiddleware } from '@fapi-sandbox/fapi-core/fapi-headers';
import { type Logger, requestLogger } from '@fapi-sandbox/fapi-core/log';
import { transportSecurityHeaders } from '@fapi-sandbox/fapi-core/security-headers';
import { TraceRecorder } from '@fapi-sandbox/fapi-core/trace';
import { refuseOutsideWebRoot } from '@fapi-sandbox/fapi-core/web-root';
import express, { type Express } from 'express';
import { loadOrCreateAdminCredential } from './admin-credential.js';
import { loadCertificateAuthority } from './domain/certificate-authority.js';
import { createCertificateService } from './domain/certificates.js';
import { createBundleMaker } from './domain/client-bundle.js';
import { createDevelopers } from './domain/developers.js';
import { notFound } from './domain/errors.js';
import { createRegistry } from './domain/registry.js';
import { createReissuer } from './domain/reissue.js';
import { seedDirectory } from './domain/seed.js';
import { createSsaService } from './domain/ssa-service.js';
import { loadSsaSigner } from './domain/ssa-signer.js';
import { transportIdentity } from './domain/transport-identity.js';
import { loadOrCreateInviteCode } from './invite-code.js';
import { certificateRoutes } from './routes/certificates.js';
import { directoryKeyRoutes } from './routes/directory-keys.js';
import { healthRoutes } from './routes/health.js';
import { organisationRoutes } from './routes/organisations.js';
import { participantsRoutes } from './routes/participants.js';
import { portalRoutes } from './routes/portal.js';
import { type SignUpLimit, signUpRateLimit } from './routes/sign-up-limit.js';
import { softwareStatementRoutes } from './routes/software-statements.js';
import { ssaOnWebListenerRoutes, ssaRoutes } from './routes/ssa.js';
import { recordRequests, traceOnWebListenerRoutes, traceRoutes } from './routes/trace.js';
import type { DirectoryServices } from './services.js';
import { openDirectoryStore } from './store/index.js';
import { portalPageRoutes } from './ui/portal-routes.js';
import { uiRoutes } from './ui/routes.js';

/** The directory's SQLite file, `<dataDir>/directory/directory.sqlite`, when no PostgreSQL URL is set. */
export function directoryDatabaseFile(config: SandboxConfig): string {
  return path.join(config.dataDir, 'directory', 'directory.sqlite');
}

export async function createDirectoryServices(
  config: SandboxConfig,
  log: Logger,
): Promise<DirectoryServices> {
  // Keys first: a missing PKI fails here, before a data folder is written.
  const ca = await loadCertificateAuthority({
    certificate: config.ca.directory,
    key: config.ca.directoryKey,
  });
  const signer = await loadSsaSigner(config.directory.ssaSigningJwks);
  const store = await openDirectoryStore({
    file: directoryDatabaseFile(config),
    url: config.directoryDatabaseUrl,
  });
  try {
    const adminCredential = loadOrCreateAdminCredential(config.directory.adminCredentialFile);
    const inviteCode = loadOrCreateInviteCode(config.directory.inviteCodeFile);
    await seedDirectory({ config, store, ca, log });
    const registry = createRegistry(store);
    const certificates = createCertificateService({ store, registry, ca });
    const reissue = createReissuer({ config, store, registry, ca, certificates });
    const identity = transportIdentity({ store, ca });
    const ssa = createSsaService({ config, store, registry, signer, identity });
    const makeClientBundle = createBundleMaker({ config, registry, certificates, store });
    const developers = createDevelopers({ store, registry, inviteCode, certificates, makeClientBundle });
    return {
      config,
      store,
      registry,
      certificates,
      reissue,
      ssa,
      signer,
      ca,
      adminCredential,
      inviteCode,
      developers,
      trace: new TraceRecorder(),
      log,
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

function baseApp(services: DirectoryServices, listener: 'web' | 'mtls'): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestLogger(services.log));
  app.use(transportSecurityHeaders());
  // Nothing outside the routes: certs/ and data/ (the CA key, the admin credential) never leave over HTTP.
  app.use(refuseOutsideWebRoot());
  app.use(fapiHeadersMiddleware());
  app.use(recordRequests(services.trace, listener, services.ca.certificate));
  app.use(healthRoutes());
  return app;
}

function finish(app: Express, services: DirectoryServices): Express {
  app.use((req) => {
    throw notFound(
      `The directory has no ${req.method} ${req.path}`,
      'see apps/directory/README.md for its endpoints',
    );
  });
  app.use(expressErrorHandler(services.log));
  return app;
}

/** The browser-facing listener: public reads, admin API, the web page. Never asks for a client certificate. */
export function createWebApp(
  services: DirectoryServices,
  options: { signUpLimit?: SignUpLimit } = {},
): Express {
  const app = baseApp(services, 'web');
  app.use(traceOnWebListenerRoutes(services.config.directory.mtls.origin));
  app.use(directoryKeyRoutes(services));
  app.use(participantsRoutes(services));
  app.use(organisationRoutes(services));
  app.use(softwareStatementRoutes(services));
  app.use(certificateRoutes(services));
  app.use(ssaOnWebListenerRoutes(services));
  app.get('/', (_req, res) => res.redirect(303, '/ui'));
  app.use('/ui', uiRoutes(services));
  const signUpLimit = signUpRateLimit(options.signUpLimit);
  app.use('/portal', portalRoutes(services, signUpLimit));
  app.use('/portal', portalPageRoutes(services, signUpLimit));
  return finish(app, services);
}

/** The mutual-TLS listener: the SSA endpoint and the trace, for the software's own transport certificate. */
export function createMtlsApp(services: DirectoryServices): Express {
  const app = baseApp(services, 'mtls');
  app.use(traceRoutes(services.trace, services.ca.certificate, services.config.directory.mtls.origin));
  app.use(ssaRoutes(services));
  return finish(app, services);
}
