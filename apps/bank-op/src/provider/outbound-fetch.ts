// oidc-provider's outbound HTTP (client jwks_uri). It refuses special-use addresses (loopback, private
// ranges) to stop SSRF, and every sandbox party runs on loopback. Rather than switch that protection
// off, the directory's own origin — where every client's jwks_uri points (the SSA's software_jwks_uri)
// — is reached with the sandbox agent, which verifies the directory's server certificate against the
// sandbox CA. Any other URL keeps oidc-provider's protected dispatcher.
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { type Dispatcher, fetch as undiciFetch } from 'undici';

type FetchInput = string | URL | Request;

export function outboundFetch(options: { config: SandboxConfig; sandboxAgent: Dispatcher }) {
  const trustedOrigins = new Set([options.config.directory.web.origin]);

  return async (input: FetchInput, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (trustedOrigins.has(url.origin)) {
      const { dispatcher: _ssrfProtected, ...rest } = (init ?? {}) as RequestInit & { dispatcher?: unknown };
      const response = await undiciFetch(url, {
        method: rest.method ?? 'GET',
        headers: Object.fromEntries(new Headers(rest.headers).entries()),
        signal: rest.signal ?? null,
        redirect: 'error',
        dispatcher: options.sandboxAgent,
      });
      return response as unknown as Response;
    }
    return globalThis.fetch(input, init);
  };
}
