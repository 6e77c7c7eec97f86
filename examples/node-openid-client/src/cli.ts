// The command line around runFlow: `pnpm start <bundle.json>` (or BUNDLE=<bundle.json> pnpm start).
// It prints the authorization URL for you to open in a browser and waits for the bank to send the browser
// back, to the https listener on your redirect URI, or for you to paste the URL the browser ended on.
import fs from 'node:fs';
import readline from 'node:readline';
import { readBundle } from './bundle.js';
import { startCallbackListener } from './callback-listener.js';
import { describeFailure, runFlow } from './flow.js';

function listenerTls() {
  const { CALLBACK_CERT, CALLBACK_KEY } = process.env;
  if (!CALLBACK_CERT || !CALLBACK_KEY) return undefined;
  return {
    certificatePem: fs.readFileSync(CALLBACK_CERT, 'utf8'),
    privateKeyPem: fs.readFileSync(CALLBACK_KEY, 'utf8'),
  };
}

/** The first line on stdin that is a URL (the browser's address bar, pasted). */
function pastedUrl(input: readline.Interface): Promise<URL> {
  return new Promise((resolve) => {
    input.on('line', (line) => {
      if (URL.canParse(line.trim())) resolve(new URL(line.trim()));
    });
  });
}

async function main(): Promise<void> {
  // --opaque: opaque access tokens, which bank-api introspects at the bank (RFC 7662).
  const opaque = process.argv.includes('--opaque');
  const file = process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? process.env.BUNDLE;
  if (!file)
    throw new Error('usage: pnpm start [--opaque] <bundle.json>  (or BUNDLE=<bundle.json> pnpm start)');
  const bundle = readBundle(file);
  console.log(
    `${bundle.software.clientName} (${bundle.software.softwareId}) of ${bundle.organisation.orgName}`,
  );
  await runFlow({
    bundle,
    ...(opaque ? { accessTokenFormat: 'opaque' as const } : {}),
    async authorize(url) {
      const redirectUri = bundle.software.redirectUris[0]!;
      const listener = await startCallbackListener(redirectUri, listenerTls());
      const input = readline.createInterface({ input: process.stdin });
      try {
        console.log(
          `\n   Open this URL in a browser, sign in as a demo customer and allow access:\n\n   ${url}\n`,
        );
        console.log(`   Waiting for the bank to send the browser to ${redirectUri}`);
        if (!process.env.CALLBACK_CERT) {
          console.log(
            `   (its certificate is self-signed, SHA-256 ${listener.fingerprint}: accept it once),`,
          );
        }
        console.log('   or paste here the URL the browser ended on.\n');
        return await Promise.race([listener.received, pastedUrl(input)]);
      } finally {
        input.close();
        await listener.close();
      }
    },
  });
  console.log('\nDone: the bank shared the accounts with your own client.');
}

main().catch((err: unknown) => {
  console.error(`\nStopped: ${describeFailure(err)}`);
  process.exitCode = 1;
});
