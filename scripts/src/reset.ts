// `pnpm reset`: every party back to its seeded state, by removing the data folder (each party
// re-creates and re-seeds its store on the next start). The PKI in certs/ is kept.
import fs from 'node:fs';
import { sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { fetch } from 'undici';

const config = sandboxConfig();
const dispatcher = createSandboxAgent({}, config);
const running: string[] = [];
for (const party of [config.directory, config.bankOp, config.bankApi, config.tpp]) {
  try {
    const response = await fetch(`${party.web.origin}/health`, {
      dispatcher,
      signal: AbortSignal.timeout(1000),
    });
    await response.body?.cancel();
    running.push(party.name);
  } catch {
    // Not answering: not running.
  }
}
await dispatcher.close();
if (running.length > 0) {
  console.error(`Stop the sandbox first (Ctrl-C in pnpm dev): ${running.join(', ')} still running.`);
  process.exit(1);
}
fs.rmSync(config.dataDir, { recursive: true, force: true });
console.log(`Removed ${config.dataDir}: every party starts from its seeded state next time.`);
