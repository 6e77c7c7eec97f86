// `pnpm pki:ensure`: generate only when the PKI is missing, incomplete, inconsistent or about to expire,
// keeping the root CA so a browser that trusts it keeps trusting the sandbox.
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { checkPki, type PkiStatus } from './check.js';
import { addMissingEncryptionKeys } from './encryption.js';
import type { GenerationResult } from './generate.js';
import { withPkiLock } from './lock.js';
import { readPkiManifest } from './manifest.js';

export type EnsureOutcome =
  /** `added`: the keys written into the existing PKI (a PKI made before they existed). */
  | { action: 'kept'; status: Extract<PkiStatus, { fresh: true }>; added?: string[] }
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
    let recheck = await checkPki(config, options);
    if (recheck.fresh) return { action: 'kept', status: recheck };
    // A PKI from before the encryption keys: add them, keep every certificate.
    const manifest = await readPkiManifest(config).catch(() => undefined);
    const added = manifest ? await addMissingEncryptionKeys(config, manifest) : [];
    if (added.length > 0) {
      recheck = await checkPki(config, options);
      if (recheck.fresh) return { action: 'kept', status: recheck, added };
    }
    // Loaded on demand: the X.509 library is only needed when something must be issued.
    const { generatePkiLocked, reissueServersLocked } = await import('./generate.js');
    // A new base domain renames the parties only: their server certificates follow, the rest stays.
    const result =
      recheck.fresh === false && recheck.serverNamesOnly
        ? await reissueServersLocked(config, options)
        : await generatePkiLocked(config, { ...options, reuseRoot: true });
    return { action: 'generated', reasons: recheck.reasons, result };
  });
}

/** One line for `pnpm dev` and `pnpm bench` after `ensurePki` generated: what, where and why. */
export function generatedNotice(
  config: SandboxConfig,
  outcome: Extract<EnsureOutcome, { action: 'generated' }>,
) {
  if (outcome.result.reissued === 'servers')
    return (
      `Issued the parties' server certificates again in ${config.certsDir} because ${outcome.reasons.join('; ')}. ` +
      "Kept: the root CA (no learner imports it again), the Directory CA and the participants' keys."
    );
  return `Generated the sandbox PKI in ${config.certsDir} because ${outcome.reasons.join('; ')}.`;
}
