// Process entry of the directory (`pnpm dev` / `pnpm start`): starts it from the sandbox config, logs
// where it listens and where the admin credential is kept, and stops cleanly on Ctrl-C.
import { sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createLogger } from '@fapi-sandbox/fapi-core/log';
import { startDirectory } from './index.js';

const config = sandboxConfig();
const log = createLogger('directory');

try {
  const directory = await startDirectory({ config, log });
  log.info(
    { webOrigin: directory.webOrigin, mtlsOrigin: directory.mtlsOrigin },
    `ready: ${directory.webOrigin} (web, API and page at ${directory.webOrigin}/ui); SSA endpoint on mTLS: ${directory.mtlsOrigin}`,
  );
  // The credential itself stays out of the log (pnpm dev's ready table shows it to the learner).
  log.info(
    { file: directory.adminCredentialFile },
    `admin credential${directory.adminCredentialCreated ? ' (created now)' : ''} in ${directory.adminCredentialFile}; send it as Authorization: Bearer <credential>`,
  );

  log.info(
    { file: config.directory.inviteCodeFile },
    `developer portal at ${directory.webOrigin}/portal; its invite code (pnpm dev prints it) is in ${config.directory.inviteCodeFile}`,
  );

  const shutdown = (signal: string) => {
    log.info({ signal }, `${signal}: stopping`);
    directory.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, `could not stop cleanly: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
} catch (err) {
  log.fatal({ err }, `could not start: ${(err as Error).message}`);
  process.exit(1);
}
