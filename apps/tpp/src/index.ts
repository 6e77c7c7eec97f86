// The TPP "Moneywise": startTpp starts its https listener (server TLS only; the browser never sees a
// certificate picker) with the back end, the JSON API and the React app on one origin.
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createLogger, type Logger } from '@fapi-sandbox/fapi-core/log';
import { close, createWebServer, listen } from '@fapi-sandbox/fapi-core/tls';
import { buildTpp } from './app.js';
import { defaultWebMode, serveWebApp, type WebMode } from './web-serving.js';

export interface StartTppOptions {
  config: SandboxConfig;
  /** Where its log lines go (default: JSON lines on stdout, see fapi-core/log). */
  log?: Logger;
  /** How the React app is served: Vite middleware, the prebuilt dist/, or not at all (API-only tests). */
  web?: WebMode;
  /** The prebuilt app's folder in dist mode (default apps/tpp/dist; tests build one elsewhere). */
  distDir?: string;
  /** The clock token expiry is judged by, ms since the epoch (default Date.now). */
  now?: () => number;
}

export interface RunningTpp {
  origin: string;
  port: number;
  stop(): Promise<void>;
}

export async function startTpp(options: StartTppOptions): Promise<RunningTpp> {
  const { config } = options;
  const log = options.log ?? createLogger('tpp');
  const tpp = await buildTpp({ config, log, ...(options.now ? { now: options.now } : {}) });
  const server = createWebServer(config.tpp, tpp.app);
  const web = await serveWebApp(tpp, server, options.web ?? defaultWebMode(), {
    ...(options.distDir ? { distDir: options.distDir } : {}),
    host: config.tpp.web.host,
  });
  const port = await listen(server, config.tpp.web);
  return {
    origin: config.tpp.web.origin,
    port,
    async stop() {
      tpp.stopBackground();
      await web.close();
      await close(server);
      await Promise.all(tpp.agents.map((agent) => agent.close()));
      await tpp.closeStore();
    },
  };
}

export type { WebMode } from './web-serving.js';
