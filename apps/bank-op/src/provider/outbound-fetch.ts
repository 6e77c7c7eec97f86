// oidc-provider's outbound HTTP (client jwks_uri, the CIBA ping). It refuses special-use addresses
// (loopback, private ranges) to stop SSRF, and every sandbox party runs on loopback. Rather than switch
// that protection off, the sandbox's own parties are reached with the sandbox agent, which verifies their
// server certificates against the sandbox CA: the directory's origin, where every client's jwks_uri points
// (the SSA's software_jwks_uri), and the participants' origins, where a ping client's notification
// endpoint must be (CIBA §10.2; registration/metadata-checks/ciba.ts). Any other URL keeps
// oidc-provider's protected dispatcher.
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { type Dispatcher, fetch as undiciFetch } from 'undici';

type FetchInput = string | URL | Request;

export function outboundFetch(options: { config: SandboxConfig; sandboxAgent: Dispatcher }) {
  const { directory, participants } = options.config;
  const trustedOrigins = new Set([
    directory.web.origin,
    ...Object.values(participants).flatMap((p) => p.redirectUris.map((uri) => new URL(uri).origin)),
  ]);

  return async (input: FetchInput, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (trustedOrigins.has(url.origin)) {
      const { dispatcher: _ssrfProtected, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
      const response = await undiciFetch(url, {
        method: rest.method ?? 'GET',
        headers: Object.fromEntries(new Headers(rest.headers).entries()),
        signal: rest.signal ?? null,
        // The ping's JSON body (CIBA §10.2); a jwks_uri read has none.
        ...(typeof rest.body === 'string' ? { body: rest.body } : {}),
        redirect: 'error',
        dispatcher: options.sandboxAgent,
      });
      return response as unknown as Response;
    }
    return globalThis.fetch(input, init);
  };
}
