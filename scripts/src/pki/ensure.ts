// `pnpm pki:ensure`: generate only when the PKI is missing, incomplete, inconsistent or about to expire,
// keeping the root CA so a browser that trusts it keeps trusting the sandbox.
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { checkPki, type PkiStatus } from './check.js';
import type { GenerationResult } from './generate.js';
import { withPkiLock } from './lock.js';

export type EnsureOutcome =
  | { action: 'kept'; status: Extract<PkiStatus, { fresh: true }> }
  | { action: 'generated'; reasons: string[]; result: GenerationResult };

export interface EnsureOptions {
  now?: Date;
}

export async function ensurePki(config: SandboxConfig, options: EnsureOptions = {}): Promise<EnsureOutcome> {
  // Fast path without the lock: a healthy PKI is only read, never written.
  const status = await checkPki(config, options);
  if (status.fresh) return { action: 'kept', status };
  return withPkiLock(config.certsDir, async () => {
    // Another process may have generated it while this one waited for the lock.
    const recheck = await checkPki(config, options);
    if (recheck.fresh) return { action: 'kept', status: recheck };
    // Loaded on demand: the X.509 library is only needed when something must be issued.
    const { generatePkiLocked } = await import('./generate.js');
    const result = await generatePkiLocked(config, { ...options, reuseRoot: true });
    return { action: 'generated', reasons: recheck.reasons, result };
  });
}

/** One line for `pnpm dev` and `pnpm bench` after `ensurePki` generated: what, where and why. */
export function generatedNotice(
  config: SandboxConfig,
  outcome: Extract<EnsureOutcome, { action: 'generated' }>,
) {
  return `Generated the sandbox PKI in ${config.certsDir} because ${outcome.reasons.join('; ')}.`;
}
