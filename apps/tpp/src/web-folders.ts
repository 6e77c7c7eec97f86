// Where the TPP's web app lives on disk, and the only folders its development server may read: the web
// source, the code it shares with the back end, Vite's prebundled dependencies and Vite's own client.
// vite.config.ts (server.fs.allow) and the TPP's own guard in front of Vite (web-serving.ts) both read
// this one list, so the two can never disagree about what is reachable.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const webSourceDir = path.join(appRoot, 'src', 'web');
export const sharedSourceDir = path.join(appRoot, 'src', 'shared');
export const distDir = path.join(appRoot, 'dist');
export const viteCacheDir = path.join(appRoot, 'node_modules', '.vite');
/** Vite's browser client (/@vite/client imports /@fs/<this>/env.mjs); Vite allows it by itself too. */
export const viteClientDir = path.join(
  path.dirname(createRequire(import.meta.url).resolve('vite/package.json')),
  'dist',
  'client',
);

export const DEV_SERVER_FOLDERS: readonly string[] = [
  webSourceDir,
  sharedSourceDir,
  viteCacheDir,
  viteClientDir,
].map((folder) => folder.split(path.sep).join('/'));

/**
 * Files Vite refuses even inside an allowed folder: its own defaults, and what the sandbox keeps secret.
 * Patterns without a slash match a file name anywhere (server.fs.deny).
 */
export const DEV_SERVER_DENY: readonly string[] = [
  '.env',
  '.env.*',
  '*.{crt,pem,key,p12,pfx,cer,der}',
  '.npmrc',
  '.yarnrc.yml',
  '**/.git/**',
  '**/certs/**',
  '**/data/**',
  '*.jwks.json',
  'secrets.json',
  'admin-credential*',
  '*.{sqlite,sqlite-wal,sqlite-shm,db}',
];

/**
 * Vite writes this into every script and style tag of index.html (html.cspNonce); the server replaces
 * it with a fresh nonce per response, the one its Content-Security-Policy names.
 */
export const CSP_NONCE_PLACEHOLDER = '__MONEYWISE_CSP_NONCE__';
