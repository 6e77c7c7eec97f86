// How the React app reaches the browser, on the TPP's own https origin: Vite in middleware mode while
// developing (HMR over the same server, no second port), or the prebuilt `dist/` when it exists.
import fs from 'node:fs';
import type { Server } from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';

export type WebMode = 'vite' | 'dist' | 'none';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = path.join(appRoot, 'dist');

/** `FAPI_TPP_WEB` chooses; otherwise the prebuilt app if there is one, else Vite. */
export function defaultWebMode(env: NodeJS.ProcessEnv = process.env): WebMode {
  const chosen = env.FAPI_TPP_WEB;
  if (chosen === 'vite' || chosen === 'dist' || chosen === 'none') return chosen;
  return fs.existsSync(path.join(distDir, 'index.html')) ? 'dist' : 'vite';
}

export interface WebServing {
  close(): Promise<void>;
}

export async function serveWebApp(app: Router, server: Server, mode: WebMode): Promise<WebServing> {
  if (mode === 'none') return { close: async () => {} };
  if (mode === 'dist') {
    app.use(express.static(distDir, { index: false }));
    app.get(/^\/(?!api\/|callback|health|trace).*/, (_req, res) => {
      res.sendFile(path.join(distDir, 'index.html'));
    });
    return { close: async () => {} };
  }
  const { createServer } = await import('vite');
  const vite = await createServer({
    configFile: path.join(appRoot, 'vite.config.ts'),
    root: path.join(appRoot, 'src', 'web'),
    appType: 'spa',
    logLevel: 'warn',
    server: { middlewareMode: true, hmr: { server } },
  });
  app.use(vite.middlewares);
  return { close: () => vite.close() };
}
