// The https listener on the redirect URI (https://localhost:<port>/callback): where the bank sends the
// customer's browser back with the authorization response (code, state, iss — RFC 9207).
//
// Its TLS certificate: FAPI 2.0 SP §5.3.3.2-2 wants https redirect URIs, and the learner's laptop has no
// certificate for `localhost` that a browser already trusts. So by default the listener makes a fresh
// self-signed certificate for `localhost` and 127.0.0.1 at each start (kept in memory only) and prints its
// SHA-256 fingerprint: the browser warns once, the learner compares the fingerprint and proceeds. A learner
// with a locally trusted certificate (for example from mkcert) passes it instead (CALLBACK_CERT and
// CALLBACK_KEY). The certificate protects only the last hop, browser to this laptop: the code it carries
// is useless without the PKCE verifier and the DPoP key, which never leave this process.
import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import https from 'node:https';
import * as x509 from '@peculiar/x509';

export interface CallbackListener {
  /** The certificate the listener presents (PEM), to trust it from a test or compare it in a browser. */
  certificatePem: string;
  /** SHA-256 fingerprint of that certificate, as browsers show it. */
  fingerprint: string;
  /** The first request on the redirect URI's path: the full callback URL with its query. */
  received: Promise<URL>;
  close(): Promise<void>;
}

export interface ListenerTls {
  certificatePem: string;
  privateKeyPem: string;
}

/** A self-signed certificate for localhost (EC P-256, one day), made in memory. */
export async function selfSignedLocalhost(): Promise<ListenerTls> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
        .toString('hex')
        .replace(/^[89a-f]/, '1'),
      name: 'CN=localhost',
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 24 * 3600_000),
      keys: keys as unknown as x509.X509CertificateCreateSelfSignedParams['keys'],
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'localhost' },
          { type: 'ip', value: '127.0.0.1' },
        ]),
      ],
    },
    webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1],
  );
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return {
    certificatePem: certificate.toString('pem'),
    privateKeyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY'),
  };
}

function fingerprintOf(certificatePem: string): string {
  const der = x509.PemConverter.decodeFirst(certificatePem);
  const hex = createHash('sha256').update(Buffer.from(der)).digest('hex').toUpperCase();
  return hex.match(/../g)!.join(':');
}

export async function startCallbackListener(
  redirectUri: string,
  tls?: ListenerTls,
): Promise<CallbackListener> {
  const target = new URL(redirectUri);
  if (target.protocol !== 'https:')
    throw new Error(`the redirect URI ${redirectUri} is not https (FAPI 2.0 SP §5.3.3.2-2)`);
  const { certificatePem, privateKeyPem } = tls ?? (await selfSignedLocalhost());
  let deliver: (url: URL) => void = () => {};
  const received = new Promise<URL>((resolve) => {
    deliver = resolve;
  });
  const server = https.createServer({ cert: certificatePem, key: privateKeyPem }, (req, res) => {
    const url = new URL(req.url ?? '/', target);
    if (req.method !== 'GET' || url.pathname !== target.pathname) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not the redirect URI\n');
      return;
    }
    res
      .writeHead(200, { 'content-type': 'text/plain; charset=utf-8' })
      .end('The bank sent you back. The example continues in your terminal; you can close this tab.\n');
    deliver(url);
  });
  const host = target.hostname === 'localhost' ? '127.0.0.1' : target.hostname.replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(Number(target.port || 443), host, () => resolve());
  });
  return {
    certificatePem,
    fingerprint: fingerprintOf(certificatePem),
    received,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
