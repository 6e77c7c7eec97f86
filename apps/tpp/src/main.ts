// Process entry of the TPP (pnpm dev runs it): the sandbox configuration, one listener, a clean stop.
import { sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createLogger } from '@fapi-sandbox/fapi-core/log';
import { startTpp } from './index.js';

const config = sandboxConfig();
const log = createLogger('tpp');
const tpp = await startTpp({ config, log });
log.info({ origin: config.tpp.web.origin }, `ready: ${config.tpp.web.origin} (Moneywise, the demo TPP)`);

const stop = async () => {
  await tpp.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
