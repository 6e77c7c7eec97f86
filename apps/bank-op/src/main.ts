// The bank-op process: starts it from the sandbox configuration and stops it on SIGINT/SIGTERM.
// FAPI_BANK_OP_TRUSTED_PROXY="<address>[,<address>…]:<header>" accepts client certificates a
// TLS-terminating proxy forwards from those addresses in that header; without it, none are.
import { sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createLogger } from '@fapi-sandbox/fapi-core/log';
import { startBankOp, type TrustedProxy } from './index.js';

function trustedProxyFromEnv(value: string | undefined): TrustedProxy | undefined {
  if (!value) return undefined;
  const separator = value.lastIndexOf(':');
  const addresses = value
    .slice(0, separator)
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  const certificateHeader = value
    .slice(separator + 1)
    .trim()
    .toLowerCase();
  if (separator < 0 || addresses.length === 0 || !certificateHeader) {
    throw new Error('FAPI_BANK_OP_TRUSTED_PROXY must look like "127.0.0.1:x-ssl-client-cert"');
  }
  return { addresses, certificateHeader };
}

const trustedProxy = trustedProxyFromEnv(process.env.FAPI_BANK_OP_TRUSTED_PROXY);
const log = createLogger('bank-op');
const bankOp = await startBankOp({ config: sandboxConfig(), log, ...(trustedProxy ? { trustedProxy } : {}) });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    bankOp.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, `could not stop cleanly: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
    );
  });
}
