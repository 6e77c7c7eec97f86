// bank-api at bank-op's introspection endpoint (RFC 7662 §2.1): over mTLS with its own transport
// certificate (tls_client_auth as the resource-server client 'bank-api'), or with another certificate.
import { RESOURCE_SERVER_CLIENT_ID } from '@fapi-sandbox/fapi-core/introspection';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { fetch, Response } from 'undici';
import type { Sandbox } from './sandbox.js';

export async function introspectAsBankApi(
  sandbox: Sandbox,
  token: string,
  options: { accept?: string; certificate?: { certFile: string; keyFile: string } } = {},
) {
  const { config } = sandbox;
  const agent = createSandboxAgent(
    options.certificate ?? {
      certFile: config.bankApi.introspectionCert,
      keyFile: config.bankApi.introspectionKey,
    },
    config,
  );
  try {
    const response = await fetch(`${config.bankOp.mtls.origin}/token/introspect`, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: options.accept ?? 'application/json',
      },
      body: new URLSearchParams({ client_id: RESOURCE_SERVER_CLIENT_ID, token }),
    });
    // Read before the agent closes.
    return new Response(await response.arrayBuffer(), {
      status: response.status,
      headers: Object.fromEntries(response.headers),
    });
  } finally {
    await agent.close();
  }
}
