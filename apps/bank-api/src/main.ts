// Process entry: `pnpm --filter @fapi-sandbox/bank-api start` (pnpm dev runs it beside the other parties).
import { sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createLogger } from '@fapi-sandbox/fapi-core/log';
import { startBankApi } from './index.js';

const config = sandboxConfig();
const log = createLogger('bank-api');
// FAPI_BANK_API_REQUIRE_SIGNATURES=true: payment calls must carry an HTTP message signature (RFC 9421).
const api = await startBankApi({
  config,
  log,
  requireSignatures: process.env.FAPI_BANK_API_REQUIRE_SIGNATURES === 'true',
});
log.info({ baseUrl: api.baseUrl }, `ready: ${api.baseUrl} (OpenAPI: ${api.baseUrl}/openapi.json)`);

const shutdown = async () => {
  await api.stop();
  process.exit(0);
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
