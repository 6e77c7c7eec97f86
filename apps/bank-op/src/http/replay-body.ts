// bank-op's gates (registration, participant status) read a request body before oidc-provider does:
// to verify a software statement, or to learn which client is calling. oidc-provider parses bodies
// itself from the request stream, so after a gate has read the stream it hands oidc-provider a request
// that carries exactly the bytes to parse (the original ones, or the registration metadata the gate
// settled on). Same socket (so the TLS client certificate is still there), same URL and headers.
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
