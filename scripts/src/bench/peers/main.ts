// A peer's process: `pnpm bench` starts it (pinned to the servers' core) as
//   node --import tsx peers/main.ts <bare-oidc-provider|floor-server|journey-floor> '<json options>'
// with the bench configuration in its environment, and drives it over IPC (ipc.ts).
import { sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { serveRequests } from '../ipc.js';
import { startBareOidcProvider } from './bare-oidc-provider.js';
import { startFloorServer } from './floor-server.js';
import { prepareJourneyFloor } from './journey-floor.js';

const [which, raw] = process.argv.slice(2);
const options = JSON.parse(raw ?? '{}') as { port: number; clientId: string };
const config = sandboxConfig();

if (which === 'bare-oidc-provider') {
  const peer = await startBareOidcProvider({ config, ...options });
  serveRequests({ origin: peer.origin }, {});
} else if (which === 'floor-server') {
  const peer = await startFloorServer({ config, port: options.port });
  serveRequests({ origin: peer.origin }, {});
} else if (which === 'journey-floor') {
  const floor = await prepareJourneyFloor(config);
  serveRequests({}, { run: ({ durationMs }: { durationMs: number }) => floor.run(durationMs) });
} else {
  console.error(`unknown peer ${which}: bare-oidc-provider, floor-server or journey-floor`);
  process.exit(2);
}
