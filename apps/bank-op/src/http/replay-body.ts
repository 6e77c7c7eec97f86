// The registration gate reads a request body before oidc-provider does, to verify its software statement,
// and settles on other bytes for oidc-provider to parse: the registration metadata as JSON. It hands
// oidc-provider a request that carries exactly those bytes: same socket (so the TLS client certificate is
// still there), same URL and headers. (A gate that passes the client's own bytes on, as the participant
// status gate does, hands oidc-provider the request itself: it parses `req.body` once the stream is read.)
import { IncomingMessage } from 'node:http';

type ExpressLikeRequest = IncomingMessage & { originalUrl?: string; baseUrl?: string };

const originals = new WeakMap<IncomingMessage, IncomingMessage>();

/** The request a replay stands for (itself when it is no replay): what was derived from it holds for both. */
export function originalRequestOf(req: IncomingMessage): IncomingMessage {
  return originals.get(req) ?? req;
}

export function requestWithBody(
  req: ExpressLikeRequest,
  body: Buffer,
  contentType?: string,
): IncomingMessage {
  const replay = new IncomingMessage(req.socket) as ExpressLikeRequest;
  replay.method = req.method;
  replay.url = req.url;
  replay.httpVersion = req.httpVersion;
  replay.httpVersionMajor = req.httpVersionMajor;
  replay.httpVersionMinor = req.httpVersionMinor;
  replay.headers = {
    ...req.headers,
    'content-length': String(body.length),
    ...(contentType ? { 'content-type': contentType } : {}),
  };
  replay.rawHeaders = Object.entries(replay.headers).flatMap(([name, value]) =>
    Array.isArray(value) ? value.flatMap((v) => [name, v]) : [name, String(value)],
  );
  // oidc-provider derives its mount path from these (see OIDCContext.urlFor).
  replay.originalUrl = req.originalUrl;
  replay.baseUrl = req.baseUrl;
  replay.push(body);
  replay.push(null);
  replay.complete = true;
  originals.set(replay, originalRequestOf(req));
  return replay;
}
