// `pnpm inspect --bundle <file>`: your own client's messages, as the directory, bank-op and bank-api
// recorded them. Read with the transport certificate of your client bundle, so the parties hand over
// your events only. Printed as one sequence in time order; with --serve, also a local page that follows
// new events as they arrive.
//
//   pnpm inspect --bundle acme.bundle.json            print the sequence and exit
//   pnpm inspect --bundle acme.bundle.json --serve    and keep a page on http://127.0.0.1:<port>/ open
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readClientBundle } from '@fapi-sandbox/fapi-core/client-bundle';
import { type SandboxConfig, sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { readCommandLine } from '../command-line.js';
import { bundleReader, readTraces } from '../lab/traces.js';
import { formatSequence } from './sequence.js';
import { type InspectorServer, startInspectorServer } from './server.js';

const USAGE = 'usage: pnpm inspect --bundle <file> [--serve] [--port <n>]';

export interface Inspection {
  code: number;
  /** Running with --serve until closed. */
  server?: InspectorServer;
}

export async function runInspect(
  args: readonly string[],
  config: SandboxConfig,
  print = console.log,
): Promise<Inspection> {
  const { values } = readCommandLine(
    USAGE,
    { options: { bundle: { type: 'string' }, serve: { type: 'boolean' }, port: { type: 'string' } } },
    args,
  );
  if (values.bundle === undefined) {
    console.error(`name your client bundle: --bundle <softwareId>.bundle.json\n${USAGE}`);
    return { code: 2 };
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port ${values.port} is not a TCP port (0-65535)\n${USAGE}`);
    return { code: 2 };
  }
  let reader: ReturnType<typeof bundleReader>;
  try {
    reader = bundleReader(readClientBundle(values.bundle), config);
  } catch (err) {
    console.error((err as Error).message);
    return { code: 2 };
  }
  const read = await readTraces(reader);
  print(`${reader.label}: ${read.events.length} events (times in UTC)`);
  for (const failure of read.failures) {
    print(`✗ could not read ${failure.party}'s trace at ${failure.url}: ${failure.problem}`);
  }
  if (read.events.length) print(formatSequence(read.events));
  if (!values.serve) {
    await reader.agent.close();
    return { code: read.failures.length ? 1 : 0 };
  }
  const server = await startInspectorServer({
    title: `Inspector · ${reader.label}`,
    read: () => readTraces(reader),
    port,
  });
  print(`\nThe inspector is on ${server.url} (Ctrl-C to stop).`);
  return {
    code: 0,
    server: {
      ...server,
      close: async () => {
        await server.close();
        await reader.agent.close();
      },
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { code, server } = await runInspect(process.argv.slice(2), sandboxConfig());
  if (server) process.once('SIGINT', () => void server.close().finally(() => process.exit(0)));
  else process.exitCode = code;
}
