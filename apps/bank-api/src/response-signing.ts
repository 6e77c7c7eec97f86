// bank-api signs every response to a signed request (FAPI 2.0 HTTP Signatures §5.3.2.1, Message Signing
// NR6) with its own key, whose public half it publishes at /jwks: the status, a Content-Digest of the body
// (RFC 9530) and, with `;req` (RFC 9421 §2.4), the request's method, URI, digest and signature, so the
// answer is bound to the request it answers and the bank cannot deny having given it; the answer's
// x-fapi-interaction-id too (covered by choice, not required). Errors are signed too: a refusal is an
// answer the client may need to prove.
import { INTERACTION_ID_HEADER } from '@fapi-sandbox/fapi-core/fapi-headers';
import { signResponse } from '@fapi-sandbox/fapi-core/http-signatures';
import type { LoadedSigningKey } from '@fapi-sandbox/fapi-core/jose/keys';
import type { Logger } from '@fapi-sandbox/fapi-core/log';
import type { RequestHandler, Response } from 'express';
import type { PipelineContext } from './checks/context.js';
import { isSigned } from './checks/message-signature.js';

export function signResponses(options: {
  key: LoadedSigningKey;
  origin: string;
  log: Logger;
}): RequestHandler {
  const key = { kid: options.key.kid, alg: options.key.alg, key: options.key.key };
  return (req, res, next) => {
    if (!isSigned(req.headers)) {
      next();
      return;
    }
    const send = res.send.bind(res);
    res.send = ((body?: unknown) => {
      // An object goes through res.json, which calls res.send again with the serialised text.
      if (typeof body !== 'string' && !Buffer.isBuffer(body)) return send(body);
      const verified = (res.locals.pipeline as PipelineContext | undefined)?.messageSignature;
      const request = {
        method: req.method,
        url: new URL(req.originalUrl, options.origin).href,
        headers: req.headers,
        ...(verified ? { label: verified.label } : {}),
      };
      const interactionId = res.getHeader(INTERACTION_ID_HEADER);
      const headers = interactionId === undefined ? {} : { [INTERACTION_ID_HEADER]: String(interactionId) };
      const response = { status: res.statusCode, headers, body };
      signResponse(key, response, request)
        // A request signature that does not parse cannot be covered: the answer is signed without it.
        .catch(() =>
          signResponse(key, response, {
            ...request,
            headers: { ...req.headers, 'signature-input': undefined, signature: undefined },
          }),
        )
        .then(
          ({ headers }) => {
            for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
            send(body);
          },
          (err: unknown) => {
            options.log.error({ err }, 'could not sign the response');
            send(body);
          },
        );
      return res;
    }) as Response['send'];
    next();
  };
}
