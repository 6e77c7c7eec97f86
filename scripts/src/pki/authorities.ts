// The CA hierarchy: one root, an issuing CA for TLS servers and one (the directory's) for participants.
// Two issuing CAs, as in a real ecosystem: a server certificate can never pass as a participant's
// client certificate, and the directory can issue participant certificates without touching servers.
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { type Authority, issueIssuingCa, selfSignCa } from './issue.js';
import { generateKeyPair, importKeyPair } from './keys.js';
import { CA_VALIDITY_DAYS, needsRenewal, validityFor } from './policy.js';
import { caNames, sandboxSubject } from './subjects.js';
import { x509 } from './x509.js';

export interface CertificateAuthorities {
  root: Authority;
  server: Authority;
  directory: Authority;
}

async function selfSignedAuthority(commonName: string, now: Date, pathLength: number): Promise<Authority> {
  const key = await generateKeyPair('ES256');
  const certificate = await selfSignCa(commonName, key, validityFor(now, CA_VALIDITY_DAYS), pathLength);
  return { certificate, key };
}

export function createRootCa(now: Date): Promise<Authority> {
  return selfSignedAuthority(caNames.root, now, 1);
}

/** A CA outside every trust bundle: what a stolen or home-made client certificate chains to. */
export function createUntrustedCa(now: Date): Promise<Authority> {
  return selfSignedAuthority(caNames.untrusted, now, 0);
}

async function issuingAuthority(root: Authority, commonName: string, now: Date): Promise<Authority> {
  const key = await generateKeyPair('ES256');
  const certificate = await issueIssuingCa(root, commonName, key, validityFor(now, CA_VALIDITY_DAYS));
  return { certificate, key };
}

/** A fresh Server CA under `root` (its key is never kept: it signs server certificates at generation only). */
export function createServerCa(root: Authority, now: Date): Promise<Authority> {
  return issuingAuthority(root, caNames.server, now);
}

/** Issues fresh Server and Directory CAs under `root`. */
export async function createIssuingCas(root: Authority, now: Date): Promise<CertificateAuthorities> {
  const [server, directory] = await Promise.all([
    issuingAuthority(root, caNames.server, now),
    issuingAuthority(root, caNames.directory, now),
  ]);
  return { root, server, directory };
}

export type RootReuse = { reusable: true; root: Authority } | { reusable: false; reason: string };

/**
 * Takes the existing root back when it is ours, self-signed, far from expiry and its key matches, so a
 * root a learner imported into a browser stays trusted across renewals.
 */
export async function reuseRootCa(certificatePem: string, keyPem: string, now: Date): Promise<RootReuse> {
  let parsed: X509Certificate;
  try {
    parsed = new X509Certificate(certificatePem);
  } catch {
    return { reusable: false, reason: 'the root CA certificate is not a readable PEM certificate' };
  }
  const expectedSubject = x509Subject(caNames.root);
  if (parsed.subject !== expectedSubject || parsed.issuer !== expectedSubject || !parsed.ca) {
    return { reusable: false, reason: `the root CA certificate is not a self-signed "${caNames.root}"` };
  }
  const { asymmetricKeyType, asymmetricKeyDetails } = parsed.publicKey;
  if (asymmetricKeyType !== 'ec' || asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    return { reusable: false, reason: 'the root CA key is not an ECDSA P-256 key' };
  }
  if (!parsed.verify(parsed.publicKey)) {
    return { reusable: false, reason: 'the root CA certificate signature does not verify' };
  }
  if (needsRenewal(new Date(parsed.validTo), now)) {
    return { reusable: false, reason: `the root CA expires on ${new Date(parsed.validTo).toISOString()}` };
  }
  let keyMatches = false;
  try {
    const publicOfKey = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
    keyMatches = publicOfKey.equals(parsed.publicKey.export({ type: 'spki', format: 'der' }));
  } catch {
    keyMatches = false;
  }
  if (!keyMatches)
    return { reusable: false, reason: 'the root CA key does not belong to the root certificate' };
  const certificate = new x509.X509Certificate(certificatePem);
  return { reusable: true, root: { certificate, key: await importKeyPair('ES256', keyPem, certificate) } };
}

/** The subject as Node's X509Certificate prints it (one RDN per line). */
function x509Subject(commonName: string): string {
  return sandboxSubject(commonName)
    .flatMap((rdn) => Object.entries(rdn).map(([type, values]) => `${type}=${values.join('+')}`))
    .join('\n');
}
