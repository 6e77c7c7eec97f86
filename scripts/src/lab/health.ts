// Lab 1's evidence: the network's parties answer over TLS that verifies against the sandbox CA (a
// certificate error is a failed check, never ignored), and the PKI on disk is complete and current.
import type { Party, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { fetch } from 'undici';
import { checkPki } from '../pki/check.js';

export interface PartyHealth {
  party: Party;
  url: string;
  healthy: boolean;
  /** "200 OK", or why not (ECONNREFUSED, a TLS verification error). */
  detail: string;
}

/** The parties of the network a client talks to: the directory and the bank's two servers. */
export function networkParties(config: SandboxConfig): Party[] {
  return [config.directory, config.bankOp, config.bankApi];
}

export async function partyHealth(config: SandboxConfig): Promise<PartyHealth[]> {
  const agent = createSandboxAgent({}, config);
  try {
    return await Promise.all(
      networkParties(config).map(async (party) => {
        const url = `${party.web.origin}/health`;
        try {
          const response = await fetch(url, { dispatcher: agent, signal: AbortSignal.timeout(5000) });
          await response.body?.cancel();
          return { party, url, healthy: response.ok, detail: `${response.status} ${response.statusText}` };
        } catch (err) {
          const cause = (err as { cause?: { code?: string; message?: string } }).cause;
          return { party, url, healthy: false, detail: cause?.code ?? cause?.message ?? String(err) };
        }
      }),
    );
  } finally {
    await agent.close();
  }
}

/** Whether the PKI is fresh, and if not, why (as `pnpm pki:ensure` would say). */
export async function pkiFreshness(config: SandboxConfig): Promise<{ fresh: boolean; detail: string }> {
  const status = await checkPki(config);
  return status.fresh
    ? {
        fresh: true,
        detail: `first expiry ${status.firstExpiry.notAfter.toISOString().slice(0, 10)} (${status.firstExpiry.path})`,
      }
    : { fresh: false, detail: status.reasons.join('; ') };
}
