// Reading a PKCS#10 certificate signing request (RFC 2986) a participant uploads: it must parse, its
// self-signature must verify (proof that the requester holds the private key) and its key must meet FAPI's
// rules. Only the public key is taken from it: the subject and extensions are the directory's to set.
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { assertFapiParticipantKey, type KeyDescription, publicKeyFromSpki } from './keys.js';
import { x509 } from './x509.js';

export interface AcceptedCsr extends KeyDescription {
  publicKey: x509.PublicKey;
}

const PEM_CSR =
  /^-----BEGIN (NEW )?CERTIFICATE REQUEST-----\r?\n[A-Za-z0-9+/=\r\n]+-----END (NEW )?CERTIFICATE REQUEST-----\s*$/;

function malformed(description: string): OAuthError {
  return new OAuthError({
    status: 400,
    error: 'invalid_request',
    description,
    clause: 'RFC 2986 §4',
    fix: 'send one PKCS#10 request in PEM form, e.g. from: openssl req -new -key transport.key -subj "/CN=any" (the directory sets the subject)',
  });
}

export async function acceptCsr(pem: string): Promise<AcceptedCsr> {
  if (!PEM_CSR.test(pem.trim())) {
    throw malformed('The csr is not a PEM "CERTIFICATE REQUEST" block');
  }
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem.trim());
  } catch {
    throw malformed('The csr does not decode as a PKCS#10 certification request');
  }

  let keyDescription: KeyDescription;
  try {
    keyDescription = assertFapiParticipantKey(publicKeyFromSpki(csr.publicKey.rawData));
  } catch (err) {
    if (err instanceof OAuthError) throw err;
    throw malformed("The csr's subjectPublicKeyInfo is not a usable public key");
  }

  let verified = false;
  try {
    verified = await csr.verify();
  } catch {
    verified = false;
  }
  // RFC 2986 §3: the request is signed with the subject's private key; a bad signature means the requester
  // may not hold the key it asks the directory to certify.
  if (!verified) {
    throw new OAuthError({
      status: 400,
      error: 'invalid_request',
      description: "The csr's signature does not verify with the public key it contains",
      clause: 'RFC 2986 §3',
      fix: 'sign the request with the private key whose public half it carries (openssl req -new -key <that key>)',
    });
  }
  return { ...keyDescription, publicKey: csr.publicKey };
}
