// For tests: every way we know to ask a listener for a file outside its web root (a dev server's /@fs/ and
// /@id/, /node_modules/, `..` plain, percent-encoded, double-encoded and with backslashes, Vite's ?raw and
// ?import tricks), aimed at the sandbox's real secrets: private JWKS, CA and server keys, the directory's
// admin credential, bank-op's secrets.json and the SQLite stores. Paths are sent byte for byte (no URL
// parser in between removes the dot-segments), and a probe fails if the answer carries a secret or is not
// a 4xx refusal.
import fs from 'node:fs';
import path from 'node:path';
import type { Dispatcher } from 'undici';
import { loadConfig, type SandboxConfig } from './config.js';
import { isolatedConfig, removeTestData } from './testing.js';

export interface SecretFile {
  file: string;
  /** Text that this file contains and no legitimate answer of any party ever does. */
  marker: string;
}

/** A configuration whose data folder sits inside the checkout's data/, where `pnpm dev` keeps it. */
export async function isolatedConfigWithDataInCheckout(): Promise<SandboxConfig> {
  const base = await isolatedConfig();
  removeTestData(base);
  const dataRoot = path.join(base.repoRoot, 'data');
  fs.mkdirSync(dataRoot, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(dataRoot, 'web-root-test-'));
  const ports = Object.fromEntries(
    [
      ['FAPI_DIRECTORY_PORT', base.directory.web.port],
      ['FAPI_DIRECTORY_MTLS_PORT', base.directory.mtls.port],
      ['FAPI_BANK_OP_PORT', base.bankOp.web.port],
      ['FAPI_BANK_OP_MTLS_PORT', base.bankOp.mtls.port],
      ['FAPI_BANK_API_PORT', base.bankApi.web.port],
      ['FAPI_TPP_PORT', base.tpp.web.port],
    ].map(([name, port]) => [name, String(port)]),
  );
  return loadConfig({ ...process.env, ...ports, FAPI_SANDBOX_DATA_DIR: dataDir });
}

/** Removes the data folder isolatedConfigWithDataInCheckout made (and only such a folder). */
export function removeCheckoutTestData(config: SandboxConfig): void {
  if (path.basename(config.dataDir).startsWith('web-root-test-')) {
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  }
}

function jwkMarker(file: string): string {
  const jwks = JSON.parse(fs.readFileSync(file, 'utf8')) as { keys: { d?: string }[] };
  const d = jwks.keys.find((key) => typeof key.d === 'string')?.d;
  if (!d) throw new Error(`${file} holds no private key`);
  return d;
}

function pemMarker(file: string): string {
  const body = fs.readFileSync(file, 'utf8').split('\n')[1];
  if (!body) throw new Error(`${file} is not a PEM file`);
  return body.trim();
}

function filesUnder(folder: string, suffix: string): string[] {
  if (!fs.existsSync(folder)) return [];
  return fs
    .readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith(suffix))
    .map((name) => path.join(folder, name));
}

/** The secrets that exist now: the PKI always, the data files of whichever parties have started. */
export function sandboxSecrets(config: SandboxConfig): SecretFile[] {
  const secrets: SecretFile[] = [
    { file: config.bankOp.signingJwks, marker: jwkMarker(config.bankOp.signingJwks) },
    { file: config.directory.ssaSigningJwks, marker: jwkMarker(config.directory.ssaSigningJwks) },
    ...Object.values(config.participants).map((participant) => ({
      file: participant.signingJwks,
      marker: jwkMarker(participant.signingJwks),
    })),
    { file: config.ca.directoryKey, marker: pemMarker(config.ca.directoryKey) },
    { file: config.bankOp.serverKey, marker: pemMarker(config.bankOp.serverKey) },
  ];
  // The directory's admin credential and the developer portal's invite code, once its first start made them.
  for (const file of [config.directory.adminCredentialFile, config.directory.inviteCodeFile]) {
    if (fs.existsSync(file)) secrets.push({ file, marker: fs.readFileSync(file, 'utf8').trim() });
  }
  const bankOpSecrets = path.join(config.dataDir, 'bank-op', 'secrets.json');
  if (fs.existsSync(bankOpSecrets)) {
    const { dpopNonceSecret } = JSON.parse(fs.readFileSync(bankOpSecrets, 'utf8')) as {
      dpopNonceSecret: string;
    };
    secrets.push({ file: bankOpSecrets, marker: dpopNonceSecret });
  }
  for (const file of filesUnder(config.dataDir, '.sqlite')) secrets.push({ file, marker: 'SQLite format 3' });
  return secrets;
}

const CLIMB = 8;
const repeat = (step: string) => step.repeat(CLIMB);

/**
 * Request paths that would reach `file` on a server that trusts its path too much. `roots` are the
 * folders a listener might serve from (its web root, a dev server's allowed folders): climbing out of one
 * of them is the classic way round an allow list that checks prefixes before normalising.
 */
export function probePaths(config: SandboxConfig, file: string, roots: readonly string[] = []): string[] {
  const absolute = file.split(path.sep).join('/');
  const inCheckout = path.relative(config.repoRoot, file).split(path.sep).join('/');
  const encodedSlashes = absolute.replace(/\//g, '%2F');
  return [
    // Vite's file-system and module-id prefixes, with the queries that bypassed its checks before.
    `/@fs${absolute}`,
    `/@fs${absolute}?raw`,
    `/@fs${absolute}?import&raw??`,
    `/@fs${absolute}?url`,
    `/@fs${absolute}?inline&import`,
    `/@fs${encodedSlashes}`,
    `/@fs${absolute.replace(/\./g, '%2e')}`,
    `/@id${absolute}`,
    `/@id/${absolute}`,
    `/@id/__x00__${absolute}`,
    // The checkout's own layout, as a static server rooted at the repository would serve it.
    `/${inCheckout}`,
    `/node_modules/${repeat('../')}${inCheckout}`,
    `/node_modules/.vite/deps/${repeat('..%2F')}${inCheckout}`,
    // Climbing out with `..`: plain, percent-encoded, double-encoded, with backslashes.
    `/${repeat('../')}${inCheckout}`,
    `/${repeat('%2e%2e/')}${inCheckout}`,
    `/${repeat('..%2f')}${inCheckout}`,
    `/${repeat('%2e%2e%2f')}${inCheckout}`,
    `/${repeat('%252e%252e%252f')}${inCheckout}`,
    `/${repeat('%25252e%25252e%25252f')}${inCheckout}`,
    `/${repeat('..%5c')}${inCheckout}`,
    `/${repeat('..\\')}${inCheckout}`,
    `/assets/${repeat('..%2f')}${inCheckout}`,
    `/main.tsx/${repeat('../')}${inCheckout}`,
    `/${repeat('.%2e/')}${inCheckout}`,
    ...roots.flatMap((root) => {
      const rootPath = root.split(path.sep).join('/');
      const fromRoot = path.relative(root, file).split(path.sep).join('/');
      return [
        `/@fs${rootPath}/${fromRoot}`,
        `/@fs${rootPath}/${fromRoot.replace(/\.\.\//g, '%2e%2e/')}`,
        `/@fs${rootPath}/${fromRoot.replace(/\//g, '%2F')}`,
        `/${fromRoot}`,
      ];
    }),
  ];
}

export interface ProbeFinding {
  path: string;
  status: number;
  problem: string;
}

/**
 * Sends every probe for every secret to `origin` through `dispatcher` (which carries a client certificate
 * for an mTLS listener) and returns what went wrong: an answer with a secret in it, or one that is not a
 * 4xx refusal. An empty list is the only passing result.
 */
export async function probeListener(options: {
  config: SandboxConfig;
  origin: string;
  dispatcher: Dispatcher;
  secrets: readonly SecretFile[];
  roots?: readonly string[];
}): Promise<ProbeFinding[]> {
  const findings: ProbeFinding[] = [];
  const markers = options.secrets.map((secret) => secret.marker);
  for (const secret of options.secrets) {
    for (const probe of probePaths(options.config, secret.file, options.roots)) {
      const response = await options.dispatcher.request({
        origin: options.origin,
        path: probe,
        method: 'GET',
      });
      const body = await response.body.text();
      const leaked = markers.some((marker) => body.includes(marker));
      if (leaked)
        findings.push({ path: probe, status: response.statusCode, problem: 'a secret in the body' });
      else if (response.statusCode < 400 || response.statusCode >= 500) {
        findings.push({ path: probe, status: response.statusCode, problem: 'not a 4xx refusal' });
      }
    }
  }
  return findings;
}
