// Starts the directory: its web listener (public reads, admin API, web page) and its mTLS listener (SSAs).
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createLogger, type Logger } from '@fapi-sandbox/fapi-core/log';
import { close, createMtlsServer, createWebServer, listen } from '@fapi-sandbox/fapi-core/tls';
import type { TraceRecorder } from '@fapi-sandbox/fapi-core/trace';
import { createDirectoryServices, createMtlsApp, createWebApp } from './app.js';
import type { SignUpLimit } from './routes/sign-up-limit.js';

export { STATUS_MAX_AGE_SECONDS } from './routes/http.js';

export interface StartDirectoryOptions {
  config: SandboxConfig;
  /** Where its log lines go (default: JSON lines on stdout, see fapi-core/log). */
  log?: Logger;
  /** The developer portal's sign-up limit per client address (default SIGN_UP_LIMIT). */
  signUpLimit?: SignUpLimit;
}

export interface RunningDirectory {
  webOrigin: string;
  mtlsOrigin: string;
  /** The admin bearer credential (also in `config.directory.adminCredentialFile`). */
  adminCredential: string;
  adminCredentialFile: string;
  /** True when this start created the credential (first run of a data folder). */
  adminCredentialCreated: boolean;
  /** The developer portal's invite code (also in `config.directory.inviteCodeFile`). */
  inviteCode: string;
  trace: TraceRecorder;
  stop(): Promise<void>;
}

export async function startDirectory(options: StartDirectoryOptions): Promise<RunningDirectory> {
  const { config } = options;
  const log = options.log ?? createLogger('directory');
  const services = await createDirectoryServices(config, log);
  const web = createWebServer(config.directory, createWebApp(services, { signUpLimit: options.signUpLimit }));
  const mtls = createMtlsServer(config.directory, createMtlsApp(services), config);
  try {
    await listen(web, config.directory.web);
    await listen(mtls, config.directory.mtls);
  } catch (err) {
    await Promise.all([close(web), close(mtls)]);
    await services.store.close();
    throw err;
  }
  return {
    webOrigin: config.directory.web.origin,
    mtlsOrigin: config.directory.mtls.origin,
    adminCredential: services.adminCredential.token,
    adminCredentialFile: services.adminCredential.file,
    adminCredentialCreated: services.adminCredential.created,
    inviteCode: services.inviteCode.value,
    trace: services.trace,
    async stop() {
      await Promise.all([close(web), close(mtls)]);
      await services.store.close();
    },
  };
}
