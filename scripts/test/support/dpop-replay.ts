// The DPoP replay a thief with a captured request tries (RFC 9449 §11.1): one proof sent twice, each time
// on a connection of its own, so that behind the balancer each may reach another replica.
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createDpopProof, type DpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { fetch } from 'undici';

interface Answer {
  status: number;
  error?: string;
  description?: string;
  nonce: string | null;
}

async function get(config: SandboxConfig, url: string, token: string, proof: string): Promise<Answer> {
  const agent = createSandboxAgent({}, config);
  try {
    const response = await fetch(url, {
      dispatcher: agent,
      headers: { authorization: `DPoP ${token}`, dpop: proof },
    });
    const body = (await response.json().catch(() => ({}))) as { error?: string; error_description?: string };
    return {
      status: response.status,
      ...(body.error ? { error: body.error } : {}),
      ...(body.error_description ? { description: body.error_description } : {}),
      nonce: response.headers.get('dpop-nonce'),
    };
  } finally {
    await agent.close();
  }
}

/** GETs `url` with one proof twice (after fetching a nonce if asked): the first answer, then the replay's. */
export async function sendDpopProofTwice(
  config: SandboxConfig,
  options: { key: DpopKey; token: string; url: string },
): Promise<[Answer, Answer]> {
  const proof = (nonce?: string) =>
    createDpopProof({
      key: options.key,
      method: 'GET',
      url: options.url,
      accessToken: options.token,
      ...(nonce ? { nonce } : {}),
    });
  // RFC 9449 §9: the resource server may first ask for a nonce of its own.
  const probe = await get(config, options.url, options.token, await proof());
  const once = await proof(probe.error === 'use_dpop_nonce' ? (probe.nonce ?? undefined) : undefined);
  const first = await get(config, options.url, options.token, once);
  const replay = await get(config, options.url, options.token, once);
  return [first, replay];
}
