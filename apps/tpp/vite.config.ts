import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { recordBuildInputs } from './src/build-inputs.js';
import {
  appRoot,
  CSP_NONCE_PLACEHOLDER,
  DEV_SERVER_DENY,
  distDir,
  sharedSourceDir,
  viteCacheDir,
  webSourceDir,
} from './src/web-folders.js';

// The React app lives in src/web; in development the TPP's express server runs Vite in middleware mode,
// and `pnpm --filter @fapi-sandbox/tpp build` writes the static app to dist/, which the server then serves.
export default defineConfig({
  root: webSourceDir,
  cacheDir: viteCacheDir,
  plugins: [react(), recordBuildInputs(path.resolve(appRoot, '..', '..'))],
  // Every inline and external script gets the per-response nonce of the TPP's Content-Security-Policy,
  // React's refresh preamble in development included.
  html: { cspNonce: CSP_NONCE_PLACEHOLDER },
  server: {
    // Vite's default allow list is the whole workspace: certs/, data/ and every private key in them.
    // Only the web source, the shared code and the prebundled dependencies (plus Vite's client, which
    // Vite adds itself); the TPP's guard in front of Vite (web-serving.ts) enforces the same list.
    fs: { strict: true, allow: [webSourceDir, sharedSourceDir, viteCacheDir], deny: [...DEV_SERVER_DENY] },
  },
  build: { outDir: distDir, emptyOutDir: true },
});
