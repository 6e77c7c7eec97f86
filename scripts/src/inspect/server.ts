// `pnpm inspect --serve`: the learner's inspector on a local page (127.0.0.1, a free port). It reads the
// learner's traces every second with their transport certificate and tells open pages when something new
// arrived (server-sent events); the page then fetches the sequence again.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TraceRead } from '../lab/traces.js';
import { inspectorPage, REFRESH_SCRIPT, sequenceView } from './page.js';

export interface InspectorServer {
  url: string;
  /** Reads the traces now and tells open pages if anything changed (the timer calls it every second). */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

// The page runs only its own script and loads nothing from elsewhere.
const PAGE_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
};

export async function startInspectorServer(options: {
  title: string;
  read: () => Promise<TraceRead>;
  port?: number;
  pollMs?: number;
}): Promise<InspectorServer> {
  let current: TraceRead = await options.read();
  const listeners = new Set<http.ServerResponse>();
  const problems = () =>
    current.failures.map((f) => `Could not read ${f.party}'s trace at ${f.url}: ${f.problem}`);
  const fingerprint = (read: TraceRead) =>
    `${read.events.length}:${read.events.at(-1)?.id ?? ''}:${read.failures.map((f) => f.party).join()}`;

  const server = http.createServer((req, res) => {
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { ...PAGE_HEADERS, 'Content-Type': type }).end(body);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(405, 'text/plain; charset=utf-8', 'GET only');
    if (path === '/') {
      return send(
        200,
        'text/html; charset=utf-8',
        inspectorPage(options.title, current.events, problems()).value,
      );
    }
    if (path === '/sequence') {
      return send(200, 'text/html; charset=utf-8', sequenceView(current.events, problems()).value);
    }
    if (path === '/refresh.js') return send(200, 'text/javascript; charset=utf-8', REFRESH_SCRIPT);
    if (path === '/changes') {
      res.writeHead(200, { ...PAGE_HEADERS, 'Content-Type': 'text/event-stream' });
      res.write(': the trace changed when a message arrives\n\n');
      listeners.add(res);
      req.on('close', () => listeners.delete(res));
      return;
    }
    send(404, 'text/plain; charset=utf-8', 'not found: the inspector is at /');
  });
  // Loopback only: the page shows the learner's traffic to whoever can reach it.
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  let reading = false;
  const refresh = async () => {
    if (reading) return;
    reading = true;
    try {
      const next = await options.read();
      const changed = fingerprint(next) !== fingerprint(current);
      current = next;
      if (changed) for (const listener of listeners) listener.write('data: changed\n\n');
    } finally {
      reading = false;
    }
  };
  const timer = setInterval(() => void refresh(), options.pollMs ?? 1000);
  return {
    url: `http://127.0.0.1:${port}/`,
    refresh,
    close: async () => {
      clearInterval(timer);
      for (const listener of listeners) listener.end();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
