// A learner's client bundle (fapi-core/client-bundle.ts), made the long way through the directory's admin
// API: an organisation, a software statement with the learner's own redirect URI, and a transport and two
// signing certificates issued from CSRs for key pairs generated here. The developer portal
// (POST /portal/…/bundle) hands out the same bundle without the admin credential; until it is merged the
// example clients' tests make theirs with this helper.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { createCertificateRequest } from '@fapi-sandbox/fapi-core/certificate-request';
import { CLIENT_BUNDLE_FORMAT, type ClientBundle } from '@fapi-sandbox/fapi-core/client-bundle';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { certificateThumbprint, jwkThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import type { JWK } from 'jose';
import { fetch } from 'undici';

export interface LearnerBundleOptions {
  orgName?: string;
  clientName?: string;
  roles?: string[];
  /** The learner's redirect URIs, e.g. `https://localhost:<port>/callback`. */
  redirectUris?: string[];
}

const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e', 'kid', 'alg', 'use', 'x5c'] as const;

export async function createLearnerBundle(
  config: SandboxConfig,
  options: LearnerBundleOptions = {},
): Promise<ClientBundle> {
  const agent = createSandboxAgent({}, config);
  const credential = fs.readFileSync(config.directory.adminCredentialFile, 'utf8').trim();
  const admin = async <T>(path: string, body: unknown): Promise<T> => {
    const response = await fetch(`${config.directory.web.origin}${path}`, {
      method: 'POST',
      dispatcher: agent,
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (response.status !== 201)
      throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };
  try {
    const organisation = await admin<{ orgId: string; orgName: string }>('/organisations', {
      orgName: options.orgName ?? 'Acme Learner Ltd',
    });
    const software = await admin<ClientBundle['software']>(
      `/organisations/${organisation.orgId}/software-statements`,
      {
        clientName: options.clientName ?? 'Acme Budget App',
        roles: options.roles ?? ['AISP', 'PISP'],
        redirectUris: options.redirectUris ?? ['https://localhost:3443/callback'],
      },
    );
    const certificates = `/organisations/${organisation.orgId}/software-statements/${software.softwareId}/certificates`;
    const certify = async (type: 'transport' | 'signing', alg: 'ES256' | 'PS256') => {
      const request = await createCertificateRequest(alg);
      const issued = await admin<{ chainPem: string; certificate: { serialNumber: string } }>(certificates, {
        type,
        csr: request.csrPem,
      });
      return { ...issued, privateKeyPem: request.privateKeyPem };
    };
    const transport = await certify('transport', 'ES256');
    const privateKeys = [await signingJwk(await certify('signing', 'PS256'), 'PS256')];
    privateKeys.push(await signingJwk(await certify('signing', 'ES256'), 'ES256'));
    return {
      format: CLIENT_BUNDLE_FORMAT,
      organisation: { orgId: organisation.orgId, orgName: organisation.orgName },
      software: {
        softwareId: software.softwareId,
        clientName: software.clientName,
        roles: software.roles,
        redirectUris: software.redirectUris,
        jwksUri: software.jwksUri,
      },
      transport: {
        certificatePem: transport.chainPem,
        privateKeyPem: transport.privateKeyPem,
        x5tS256: certificateThumbprint(transport.chainPem),
        serialNumber: transport.certificate.serialNumber,
      },
      signing: {
        privateJwks: { keys: privateKeys },
        publicJwks: { keys: privateKeys.map(publicJwk) },
      },
      trust: { serverCaBundlePem: fs.readFileSync(config.ca.serverTrustBundle, 'utf8') },
      endpoints: bundleEndpoints(config, organisation.orgId, software.softwareId),
      resolve: Object.fromEntries(
        [
          config.directory.web,
          config.directory.mtls,
          config.bankOp.web,
          config.bankOp.mtls,
          config.bankApi.web,
        ].map((listener) => [listener.host, '127.0.0.1']),
      ),
    };
  } finally {
    await agent.close();
  }
}

function bundleEndpoints(
  config: SandboxConfig,
  orgId: string,
  softwareId: string,
): ClientBundle['endpoints'] {
  return {
    directory: config.directory.web.origin,
    ssa: `${config.directory.mtls.origin}/organisations/${orgId}/software-statements/${softwareId}/ssa`,
    trace: {
      directory: `${config.directory.mtls.origin}/trace`,
      bankOp: `${config.bankOp.mtls.origin}/trace`,
      bankApi: `${config.bankApi.web.origin}/trace`,
    },
    bankIssuer: config.bankOp.issuer,
    bankDiscovery: `${config.bankOp.issuer}/.well-known/openid-configuration`,
    bankApi: config.bankApi.web.origin,
  };
}

/** The private JWK of a signing key, with the kid the directory publishes it under and its certificate chain. */
async function signingJwk(
  issued: { chainPem: string; privateKeyPem: string },
  alg: 'PS256' | 'ES256',
): Promise<JWK> {
  const jwk = createPrivateKey(issued.privateKeyPem).export({ format: 'jwk' }) as JWK;
  const x5c = [...issued.chainPem.matchAll(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g)].map(
    ([pem]) => new X509Certificate(pem).raw.toString('base64'),
  );
  return { ...jwk, kid: await jwkThumbprint(jwk), alg, use: 'sig', x5c };
}

function publicJwk(key: JWK): JWK {
  return Object.fromEntries(PUBLIC_MEMBERS.filter((m) => key[m] !== undefined).map((m) => [m, key[m]]));
}
