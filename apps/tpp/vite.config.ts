import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

// The React app lives in src/web; in development the TPP's express server runs Vite in middleware mode,
// and `pnpm --filter @fapi-sandbox/tpp build` writes the static app to dist/, which the server then serves.
export default defineConfig({
  root: path.join(here, 'src', 'web'),
  plugins: [react()],
  build: { outDir: path.join(here, 'dist'), emptyOutDir: true },
});
