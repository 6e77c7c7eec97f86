// Process entry: `pnpm --filter @fapi-sandbox/bank-api start` (pnpm dev runs it beside the other parties).
import { sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { startBankApi } from './index.js';

const config = sandboxConfig();
const api = await startBankApi({ config });
console.log(`bank-api ready: ${api.baseUrl} (OpenAPI: ${api.baseUrl}/openapi.json)`);

const shutdown = async () => {
  await api.stop();
  process.exit(0);
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
