// The developer portal's client bundle: the directory generates a transport key pair and a signing key
// pair per FAPI algorithm for a learner's software, certifies them with the one issuer (certificates.ts),
// and hands back the private keys once. It keeps only the certificates, so the software's JWKS (its
// jwks_uri) publishes the new signing keys and bank-op verifies the learner's private_key_jwt with them.
// It also makes an encryption key pair per algorithm the bank offers (RSA-OAEP-256, ECDH-ES) and keeps
// their public halves, which the JWKS publishes with use enc so the bank can encrypt ID tokens to the
// learner's client (OIDC Core §10.2).
import { generateKeyPair as generateKeyPairCallback, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import { promisify } from 'node:util';
import { CLIENT_BUNDLE_FORMAT, type ClientBundle } from '@fapi-sandbox/fapi-core/client-bundle';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { DirectoryStore } from '../store/index.js';
import { x5cOf } from './certificate-records.js';
import { type CertificateLimit, type CertificateService, softwareToCertify } from './certificates.js';
import { assertFapiParticipantKey, spkiOf } from './keys.js';
import type { CertificateRecord } from './model.js';
import type { Registry } from './registry.js';
import { softwareJwksUri, ssaUrl } from './urls.js';

const generateKeyPair = promisify(generateKeyPairCallback);

/** FAPI 2.0 SP §5.4.1: PS256 with RSA of at least 2048 bits (§5.4.1-2), and ES256 with P-256. */
function signingKeyPairs(): Promise<{ publicKey: KeyObject; privateKey: KeyObject }[]> {
  return Promise.all([
    generateKeyPair('rsa', { modulusLength: 2048 }),
    generateKeyPair('ec', { namedCurve: 'P-256' }),
  ]);
}

/** RFC 7518 §4.3 RSA-OAEP-256 with RSA-2048, and §4.6 ECDH-ES with P-256: fapi-core's key management algorithms. */
async function encryptionKeyPairs(): Promise<{ alg: string; publicKey: KeyObject; privateKey: KeyObject }[]> {
  const [rsa, ec] = await Promise.all([
    generateKeyPair('rsa', { modulusLength: 2048 }),
    generateKeyPair('ec', { namedCurve: 'P-256' }),
  ]);
  return [
    { alg: 'RSA-OAEP-256', ...rsa },
    { alg: 'ECDH-ES', ...ec },
  ];
}

/** The hosts a client outside the browser must resolve, and the address they resolve to (the host address). */
function sandboxResolve(config: SandboxConfig): Record<string, string> {
  const hosts = [
    config.directory.web.host,
    config.directory.mtls.host,
    config.bankOp.web.host,
    config.bankOp.mtls.host,
    config.bankApi.web.host,
  ];
  return Object.fromEntries(hosts.map((host) => [host, config.hostAddress]));
}

export function createBundleMaker(deps: {
  config: SandboxConfig;
  registry: Registry;
  certificates: CertificateService;
  store: Pick<DirectoryStore, 'encryptionKeys' | 'transaction'>;
}) {
  const { config, registry, certificates, store } = deps;

  /** Encryption keys (use enc, RFC 7517 §4.2), kid the RFC 7638 thumbprint; the store keeps the public halves. */
  async function encryptionKeys() {
    const privateKeys: JWK[] = [];
    const publicKeys: (JWK & { kid: string; alg: string })[] = [];
    for (const pair of await encryptionKeyPairs()) {
      const publicJwk = pair.publicKey.export({ format: 'jwk' }) as JWK;
      const members = { kid: await calculateJwkThumbprint(publicJwk), alg: pair.alg, use: 'enc' };
      privateKeys.push({ ...(pair.privateKey.export({ format: 'jwk' }) as JWK), ...members });
      publicKeys.push({ ...publicJwk, ...members });
    }
    return { privateJwks: { keys: privateKeys }, publicJwks: { keys: publicKeys } };
  }

  /** Every key made and certified first; then all of it recorded in one transaction, or none of it. */
  return async function makeClientBundle(
    orgId: string,
    softwareId: string,
    limit?: CertificateLimit,
  ): Promise<ClientBundle> {
    const { organisation, software } = await softwareToCertify(registry, orgId, softwareId);

    // The same kind of transport key as `pnpm pki` and a reissue make: ECDSA P-256.
    const transportKeys = await generateKeyPair('ec', { namedCurve: 'P-256' });
    const transport = await certificates.sign(orgId, softwareId, {
      type: 'transport',
      publicKey: spkiOf(transportKeys.publicKey),
      alg: 'ES256',
      source: 'bundle',
    });

    const privateKeys: JWK[] = [];
    const publicKeys: JWK[] = [];
    const signing: CertificateRecord[] = [];
    for (const pair of await signingKeyPairs()) {
      const { alg } = assertFapiParticipantKey(pair.publicKey);
      const issued = await certificates.sign(orgId, softwareId, {
        type: 'signing',
        publicKey: spkiOf(pair.publicKey),
        alg,
        source: 'bundle',
      });
      signing.push(issued.certificate);
      // RFC 7517 §4: kid (RFC 7638 thumbprint, as the JWKS publishes it), alg, use and the x5c chain.
      const members = { kid: issued.certificate.kid!, alg, use: 'sig', x5c: x5cOf(issued.chainPem) };
      privateKeys.push({ ...(pair.privateKey.export({ format: 'jwk' }) as JWK), ...members });
      publicKeys.push({ ...(pair.publicKey.export({ format: 'jwk' }) as JWK), ...members });
    }
    const encryption = await encryptionKeys();

    await store.transaction(async () => {
      await certificates.record(orgId, softwareId, [transport.certificate, ...signing], limit);
      await store.encryptionKeys.insertAll(softwareId, encryption.publicJwks.keys);
    });

    return {
      format: CLIENT_BUNDLE_FORMAT,
      organisation: { orgId: organisation.orgId, orgName: organisation.orgName },
      software: {
        softwareId: software.softwareId,
        clientName: software.clientName,
        roles: software.roles,
        redirectUris: software.redirectUris,
        jwksUri: softwareJwksUri(config, orgId, softwareId),
      },
      transport: {
        certificatePem: transport.chainPem,
        privateKeyPem: transportKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        x5tS256: transport.certificate.x5tS256,
        serialNumber: transport.certificate.serialNumber,
      },
      signing: { privateJwks: { keys: privateKeys }, publicJwks: { keys: publicKeys } },
      encryption,
      trust: { serverCaBundlePem: fs.readFileSync(config.ca.serverTrustBundle, 'utf8') },
      endpoints: {
        directory: config.directory.web.origin,
        ssa: ssaUrl(config, orgId, softwareId),
        trace: {
          directory: `${config.directory.mtls.origin}/trace`,
          bankOp: `${config.bankOp.mtls.origin}/trace`,
          bankApi: `${config.bankApi.web.origin}/trace`,
        },
        bankIssuer: config.bankOp.issuer,
        bankDiscovery: `${config.bankOp.issuer}/.well-known/openid-configuration`,
        bankApi: config.bankApi.web.origin,
      },
      resolve: sandboxResolve(config),
    };
  };
}

export type BundleMaker = ReturnType<typeof createBundleMaker>;
