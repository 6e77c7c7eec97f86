// The command line around runFlow: `pnpm start <bundle.json>` (or BUNDLE=<bundle.json> pnpm start).
// It prints the authorization URL for you to open in a browser and waits for the bank to send the browser
// back, to the https listener on your redirect URI, or for you to paste the URL the browser ended on.
import fs from 'node:fs';
import readline from 'node:readline';
import { readBundle } from './bundle.js';
import { startCallbackListener } from './callback-listener.js';
import { KEY_MANAGEMENT_ALGS, type KeyManagementAlg } from './encryption.js';
import { describeFailure, type FlowOptions, runFlow } from './flow.js';

const USAGE =
  'usage: pnpm start [--opaque] [--profile fapi2|fapi1-baseline] [--encrypt-request-object[=RSA-OAEP-256|ECDH-ES]] [--encrypt-id-token[=RSA-OAEP-256|ECDH-ES]] [--encrypt-jarm[=RSA-OAEP-256|ECDH-ES]] <bundle.json>  (or BUNDLE=<bundle.json> pnpm start …)';

/** `--name` or `--name=<alg>` (default RSA-OAEP-256): the key management algorithm, or undefined when absent. */
function encryptionFlag(args: string[], name: string): KeyManagementAlg | undefined {
  const arg = args.find((candidate) => candidate === name || candidate.startsWith(`${name}=`));
  if (!arg) return undefined;
  const alg = arg.includes('=') ? arg.slice(name.length + 1) : 'RSA-OAEP-256';
  if (!(KEY_MANAGEMENT_ALGS as readonly string[]).includes(alg)) {
    throw new Error(`${name}=${alg}: the bank offers ${KEY_MANAGEMENT_ALGS.join(' and ')}`);
  }
  return alg as KeyManagementAlg;
}

/** The flow's options from the command line's flags. */
function flowOptions(args: string[]): Omit<FlowOptions, 'bundle' | 'authorize'> {
  const profileAt = args.indexOf('--profile');
  const profile = profileAt >= 0 ? args[profileAt + 1] : 'fapi2';
  if (profile !== 'fapi2' && profile !== 'fapi1-baseline') {
    throw new Error(`--profile ${String(profile)}: choose fapi2 or fapi1-baseline. ${USAGE}`);
  }
  const encryptRequestObject = encryptionFlag(args, '--encrypt-request-object');
  const encryptIdToken = encryptionFlag(args, '--encrypt-id-token');
  const encryptJarm = encryptionFlag(args, '--encrypt-jarm');
  return {
    profile,
    // --opaque: opaque access tokens, which bank-api introspects at the bank (RFC 7662).
    ...(args.includes('--opaque') ? { accessTokenFormat: 'opaque' as const } : {}),
    ...(encryptRequestObject ? { encryptRequestObject } : {}),
    ...(encryptIdToken ? { encryptIdToken } : {}),
    ...(encryptJarm ? { encryptJarm } : {}),
  };
}

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
  const args = process.argv.slice(2);
  const options = flowOptions(args);
  const file =
    args.find((arg, at) => !arg.startsWith('--') && args[at - 1] !== '--profile') ?? process.env.BUNDLE;
  if (!file) throw new Error(USAGE);
  const bundle = readBundle(file);
  console.log(
    `${bundle.software.clientName} (${bundle.software.softwareId}) of ${bundle.organisation.orgName}`,
  );
  await runFlow({
    bundle,
    ...options,
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
