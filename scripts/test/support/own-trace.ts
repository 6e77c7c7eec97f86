// A learner's own traffic, as the learner reads it: GET /trace at a party's mTLS origin with the bundle's own
// transport certificate (fapi-core/trace.ts handleTraceQuery gives a participant its own events only).
import type { ClientBundle } from '@fapi-sandbox/fapi-core/client-bundle';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { fetch } from 'undici';

/** The events `traceUrl` (one of the bundle's `endpoints.trace`) hands the bundle's certificate. */
export async function ownTraceEvents(
  config: SandboxConfig,
  bundle: ClientBundle,
  traceUrl: string,
): Promise<{ url?: string; checks?: { name: string; passed: boolean }[] }[]> {
  const own = createSandboxAgent(
    { cert: bundle.transport.certificatePem, key: bundle.transport.privateKeyPem },
    config,
  );
  try {
    const response = await fetch(`${traceUrl}?limit=50`, { dispatcher: own });
    if (response.status !== 200) throw new Error(`GET ${traceUrl} answered ${response.status}`);
    return (
      (await response.json()) as { events: { url?: string; checks?: { name: string; passed: boolean }[] }[] }
    ).events;
  } finally {
    await own.close();
  }
}

/** The URLs of the events `traceUrl` (one of the bundle's `endpoints.trace`) hands the bundle's certificate. */
export async function ownTraceUrls(
  config: SandboxConfig,
  bundle: ClientBundle,
  traceUrl: string,
): Promise<string[]> {
  const events = await ownTraceEvents(config, bundle, traceUrl);
  return events.flatMap((event) => (event.url ? [event.url] : []));
}
