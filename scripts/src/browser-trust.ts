// How a browser trusts the sandbox without touching the system trust store: Chromium's
// --ignore-certificate-errors-spki-list accepts exactly the listed public keys (SHA-256 of each
// server certificate's SubjectPublicKeyInfo) and nothing else. `pnpm open` and the e2e suite use it.
import { createHash, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';

/** base64 SHA-256 of the SPKI of every party's TLS server certificate. */
export function sandboxServerSpkiHashes(config: SandboxConfig): string[] {
  const parties = [config.directory, config.bankOp, config.bankApi, config.tpp];
  return parties.map((party) => {
    const leaf = new X509Certificate(fs.readFileSync(party.serverCert));
    const spki = leaf.publicKey.export({ type: 'spki', format: 'der' });
    return createHash('sha256').update(spki).digest('base64');
  });
}

/** Chromium flags that make it trust the sandbox's server keys (only those). */
export function chromiumTrustArgs(config: SandboxConfig): string[] {
  return [`--ignore-certificate-errors-spki-list=${sandboxServerSpkiHashes(config).join(',')}`];
}
