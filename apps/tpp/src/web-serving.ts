// How the React app reaches the browser, on the TPP's own https origin: Vite in middleware mode while
// developing (HMR over the same server, no second port), or the prebuilt `dist/` when it exists. Either
// way only the app's own files are reachable: a guard in front of everything (the front door) refuses
// paths that climb out of the web root or name certs/, data/ or node_modules/, and Vite itself is locked to
// the folders in web-folders.ts. index.html is sent with this response's CSP nonce in its script tags.
import fs from 'node:fs';
import type { Server } from 'node:https';
import path from 'node:path';
import { refuseOutsideWebRoot } from '@fapi-sandbox/fapi-core/web-root';
import express, { type Response, type Router } from 'express';
import { appRoot, CSP_NONCE_PLACEHOLDER, DEV_SERVER_FOLDERS, distDir, webSourceDir } from './web-folders.js';

export type WebMode = 'vite' | 'dist' | 'none';

export { distDir };

/** `FAPI_TPP_WEB` chooses; otherwise the prebuilt app if there is one, else Vite. */
export function defaultWebMode(env: NodeJS.ProcessEnv = process.env): WebMode {
  const chosen = env.FAPI_TPP_WEB;
  if (chosen === 'vite' || chosen === 'dist' || chosen === 'none') return chosen;
  return fs.existsSync(path.join(distDir, 'index.html')) ? 'dist' : 'vite';
}

export interface WebServing {
  close(): Promise<void>;
}

/** The React app's pages: every GET the back end does not answer itself (the router runs in the browser). */
const APP_PAGES = /^\/(?!api\/|callback|health|trace).*/;

function sendIndexHtml(res: Response, html: string): void {
  res
    .set('Cache-Control', 'no-store')
    .type('html')
    .send(html.replaceAll(CSP_NONCE_PLACEHOLDER, res.locals.cspNonce));
}

export async function serveWebApp(
  routers: { frontDoor: Router; web: Router },
  server: Server,
  mode: WebMode,
  options: { distDir?: string; host?: string } = {},
): Promise<WebServing> {
  const { frontDoor, web } = routers;
  // Vite's /@fs/ URLs are allowed into its own folders only, and only while Vite serves the app.
  frontDoor.use(refuseOutsideWebRoot(mode === 'vite' ? { devServerFolders: DEV_SERVER_FOLDERS } : {}));
  if (mode === 'none') return { close: async () => {} };
  if (mode === 'dist') {
    const root = options.distDir ?? distDir;
    const indexHtml = fs.readFileSync(path.join(root, 'index.html'), 'utf8');
    // index.html itself too goes out with its nonce, never as the static file with the placeholder.
    web.get('/index.html', (_req, res) => sendIndexHtml(res, indexHtml));
    web.use(express.static(root, { index: false, dotfiles: 'deny' }));
    web.get(APP_PAGES, (_req, res) => sendIndexHtml(res, indexHtml));
    return { close: async () => {} };
  }
  const { createServer } = await import('vite');
  const vite = await createServer({
    configFile: path.join(appRoot, 'vite.config.ts'),
    // The TPP answers index.html itself (below), so that each response carries its own nonce.
    appType: 'custom',
    logLevel: 'warn',
    // HMR's WebSocket shares the TPP's https server (Vite 8 names it server.ws; server.hmr.server is deprecated).
    // Vite answers only the Host names it allows (its DNS-rebinding guard): `*.localhost` always, and the
    // TPP's own name under another base domain (FAPI_BASE_DOMAIN).
    server: {
      middlewareMode: true,
      ws: { server },
      ...(options.host ? { allowedHosts: [options.host] } : {}),
    },
  });
  web.use(vite.middlewares);
  web.get(APP_PAGES, async (req, res) => {
    const template = await fs.promises.readFile(path.join(webSourceDir, 'index.html'), 'utf8');
    sendIndexHtml(res, await vite.transformIndexHtml(req.originalUrl, template));
  });
  return { close: () => vite.close() };
}
