// Process entry of the directory (`pnpm dev` / `pnpm start`): starts it from the sandbox config, prints
// where it listens and the admin credential, and stops cleanly on Ctrl-C.
import { sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { startDirectory } from './index.js';

const config = sandboxConfig();

try {
  const directory = await startDirectory({ config, log: (line) => console.log(line) });
  console.log(`[directory] ready: ${directory.webOrigin} (web, API and page at ${directory.webOrigin}/ui)`);
  console.log(`[directory] SSA endpoint on mTLS: ${directory.mtlsOrigin}`);
  console.log(
    `[directory] admin credential${directory.adminCredentialCreated ? ' (created now)' : ''}: ${directory.adminCredential}`,
  );
  console.log(
    `[directory]   stored in ${directory.adminCredentialFile}; send it as Authorization: Bearer <credential>`,
  );

  const shutdown = (signal: string) => {
    console.log(`[directory] ${signal}: stopping`);
    directory.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
} catch (err) {
  console.error(`[directory] could not start: ${(err as Error).message}`);
  process.exit(1);
}
