// Starts a directory in-process on free ports with its own data folder, and calls it over real TLS with
// the sandbox CA (undici + fapi-core's sandbox agent), as bank-op, bank-api and the TPP do.
import { webcrypto } from 'node:crypto';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { captureLogs, type LogLine } from '@fapi-sandbox/fapi-core/log-capture';
import { isolatedConfig, removeTestData } from '@fapi-sandbox/fapi-core/testing';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { sql } from 'kysely';
import { type Agent, fetch, type RequestInit, type Response } from 'undici';
import { directoryDatabaseFile } from '../src/app.js';
import { x509 } from '../src/domain/x509.js';
import { type RunningDirectory, type StartDirectoryOptions, startDirectory } from '../src/index.js';
import { openDirectoryDatabase } from '../src/store/database.js';

export { x509 };

export interface TestDirectory {
  config: SandboxConfig;
  directory: RunningDirectory;
  /** What the parties logged, parsed (fapi-core/log lines). */
  logs: LogLine[];
  web: Agent;
  /** GET/POST/... on the web listener. */
  call(path: string, init?: RequestInit): Promise<Response>;
  /** JSON call with the admin credential (or `credential` to try another one). */
  admin(
    method: string,
    path: string,
    body?: unknown,
    options?: { credential?: string | null },
  ): Promise<Response>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestDirectory(
  existing?: SandboxConfig,
  options: Pick<StartDirectoryOptions, 'signUpLimit'> = {},
): Promise<TestDirectory> {
  const config = existing ?? (await isolatedConfig());
  const captured = captureLogs();
  const logs = captured.lines;
  const web = createSandboxAgent({}, config);
  const start = () => startDirectory({ config, log: captured.logOf('directory'), ...options });
  const handle: TestDirectory = {
    config,
    directory: await start(),
    logs,
    web,
    call: (path, init = {}) => fetch(`${config.directory.web.origin}${path}`, { dispatcher: web, ...init }),
    admin(method, path, body, options = {}) {
      const credential =
        options.credential === undefined ? handle.directory.adminCredential : options.credential;
      return handle.call(path, {
        method,
        headers: {
          ...(credential !== null ? { authorization: `Bearer ${credential}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    },
    async restart() {
      await handle.directory.stop();
      handle.directory = await start();
    },
    async close() {
      await handle.directory.stop();
      await web.close();
      removeTestData(config);
    },
  };
  return handle;
}

/** The JSON body of an error answer, asserted to have the OAuth shape. */
export async function oauthError(response: Response): Promise<{ error: string; error_description: string }> {
  const body = (await response.json()) as { error: string; error_description: string };
  if (typeof body.error !== 'string' || typeof body.error_description !== 'string') {
    throw new Error(`not an OAuth error body: ${JSON.stringify(body)}`);
  }
  return body;
}

export type KeyKind = 'EC P-256' | 'EC P-384' | 'RSA 1024' | 'RSA 2048';

const keyParameters: Record<
  KeyKind,
  {
    generate: webcrypto.EcKeyGenParams | webcrypto.RsaHashedKeyGenParams;
    sign: webcrypto.Algorithm | webcrypto.EcdsaParams;
  }
> = {
  'EC P-256': {
    generate: { name: 'ECDSA', namedCurve: 'P-256' },
    sign: { name: 'ECDSA', hash: 'SHA-256' } as webcrypto.EcdsaParams,
  },
  'EC P-384': {
    generate: { name: 'ECDSA', namedCurve: 'P-384' },
    sign: { name: 'ECDSA', hash: 'SHA-384' } as webcrypto.EcdsaParams,
  },
  'RSA 1024': {
    generate: {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 1024,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    sign: { name: 'RSASSA-PKCS1-v1_5' },
  },
  'RSA 2048': {
    generate: {
      name: 'RSASSA-PKCS1-v1_5',
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: 'SHA-256',
    },
    sign: { name: 'RSASSA-PKCS1-v1_5' },
  },
};

export interface GeneratedCsr {
  csr: string;
  keys: webcrypto.CryptoKeyPair;
  /** PKCS#8 PEM of the private key (for an mTLS client). */
  privateKeyPem: string;
  publicKey: x509.PublicKey;
}

/** A PKCS#10 request with a subject the directory must ignore (it sets its own). */
export async function generateCsr(
  kind: KeyKind = 'EC P-256',
  name = 'CN=impostor, O=Attacker Ltd, OU=other-org',
): Promise<GeneratedCsr> {
  const parameters = keyParameters[kind];
  const keys = (await webcrypto.subtle.generateKey(parameters.generate, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const request = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys: keys as unknown as x509.Pkcs10CertificateRequestCreateParams['keys'],
    signingAlgorithm: parameters.sign,
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    csr: request.toString('pem'),
    keys,
    privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
    publicKey: request.publicKey,
  };
}

export const DEMO_SSA_PATH = (config: SandboxConfig) =>
  `/organisations/${config.participants.demo.orgId}/software-statements/${config.participants.demo.softwareId}`;

/**
 * Every row the directory keeps, as text, on whichever engine it runs (its SQLite file, or its PostgreSQL
 * database in the hosted run): to check that something, a private key say, was never stored.
 */
export async function everythingStored(config: SandboxConfig): Promise<string> {
  const { db } = openDirectoryDatabase({
    file: directoryDatabaseFile(config),
    url: config.directoryDatabaseUrl,
  });
  try {
    const rows = [];
    for (const table of await db.introspection.getTables()) {
      rows.push(await sql`SELECT * FROM ${sql.table(table.name)}`.execute(db));
    }
    return JSON.stringify(rows.map((result) => result.rows));
  } finally {
    await db.destroy();
  }
}
