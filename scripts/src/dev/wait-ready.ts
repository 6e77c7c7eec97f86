// Polls a party's health endpoint over real TLS (the sandbox CA) until it answers 200.
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { fetch } from 'undici';

export async function waitUntilHealthy(
  url: string,
  config: SandboxConfig,
  options: { timeoutMs: number; isAlive: () => boolean },
): Promise<number> {
  const dispatcher = createSandboxAgent({}, config);
  const started = performance.now();
  let lastError = '';
  try {
    while (performance.now() - started < options.timeoutMs) {
      if (!options.isAlive()) throw new Error(`the process exited before ${url} answered`);
      try {
        const response = await fetch(url, { dispatcher, signal: AbortSignal.timeout(2000) });
        await response.body?.cancel();
        if (response.ok) return performance.now() - started;
        lastError = `HTTP ${response.status}`;
      } catch (err) {
        lastError = (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  } finally {
    await dispatcher.close();
  }
  throw new Error(`${url} was not healthy after ${options.timeoutMs} ms (last: ${lastError})`);
}
