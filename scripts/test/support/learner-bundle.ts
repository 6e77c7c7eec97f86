// A learner's client bundle (fapi-core client-bundle.ts) made through the directory's admin API: a new
// organisation and software statement, a transport certificate and two signing certificates issued from
// CSRs whose keys are made here. What the developer portal hands a learner, for tests of "bring your own
// client" before (and independently of) the portal.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createCertificateRequest } from '@fapi-sandbox/fapi-core/certificate-request';
import { CLIENT_BUNDLE_FORMAT, type ClientBundle } from '@fapi-sandbox/fapi-core/client-bundle';
import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { certificateThumbprint, jwkThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { exportJWK, importPKCS8, type JWK } from 'jose';
import { fetch } from 'undici';

export interface LearnerBundleOptions {
  orgName?: string;
  clientName?: string;
  roles?: ('AISP' | 'PISP')[];
  redirectUris?: string[];
}

export async function createLearnerBundle(
  config: SandboxConfig,
  options: LearnerBundleOptions = {},
): Promise<ClientBundle> {
  const admin = fs.readFileSync(config.directory.adminCredentialFile, 'utf8').trim();
  const agent = createSandboxAgent({}, config);
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${config.directory.web.origin}${path}`, {
      method: 'POST',
      dispatcher: agent,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the admin API's views are read field by field
    const json = (await response.json()) as any;
    if (response.status !== 201) throw new Error(`POST ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  try {
    const organisation = await post('/organisations', { orgName: options.orgName ?? 'Acme Learner Ltd' });
    const orgId: string = organisation.orgId;
    const software = await post(`/organisations/${orgId}/software-statements`, {
      clientName: options.clientName ?? 'Acme Budget App',
      roles: options.roles ?? ['AISP', 'PISP'],
      redirectUris: options.redirectUris ?? ['https://localhost:3443/callback'],
    });
    const softwareId: string = software.softwareId;
    const certify = async (type: 'transport' | 'signing', alg: 'ES256' | 'PS256') => {
      const request = await createCertificateRequest(alg);
      const issued = await post(`/organisations/${orgId}/software-statements/${softwareId}/certificates`, {
        type,
        csr: request.csrPem,
      });
      return { privateKeyPem: request.privateKeyPem, chainPem: issued.chainPem as string };
    };
    const transport = await certify('transport', 'ES256');
    const signingJwk = async (alg: 'PS256' | 'ES256'): Promise<JWK> => {
      const { privateKeyPem, chainPem } = await certify('signing', alg);
      const jwk = await exportJWK(await importPKCS8(privateKeyPem, alg, { extractable: true }));
      const x5c = chainPem
        .split(/(?<=-----END CERTIFICATE-----)/)
        .filter((block) => block.includes('BEGIN CERTIFICATE'))
        .map((block) => new X509Certificate(block).raw.toString('base64'));
      return { ...jwk, kid: await jwkThumbprint(jwk), alg, use: 'sig', x5c };
    };
    const privateKeys = [await signingJwk('PS256'), await signingJwk('ES256')];
    const publicKeys = privateKeys.map(({ d, p, q, dp, dq, qi, ...publicJwk }) => publicJwk);
    const leaf = new X509Certificate(transport.chainPem);
    return {
      format: CLIENT_BUNDLE_FORMAT,
      organisation: { orgId, orgName: organisation.orgName },
      software: {
        softwareId,
        clientName: software.clientName,
        roles: software.roles,
        redirectUris: software.redirectUris,
        jwksUri: software.jwksUri,
      },
      transport: {
        certificatePem: transport.chainPem,
        privateKeyPem: transport.privateKeyPem,
        x5tS256: certificateThumbprint(transport.chainPem),
        serialNumber: leaf.serialNumber.toUpperCase(),
      },
      signing: { privateJwks: { keys: privateKeys }, publicJwks: { keys: publicKeys } },
      trust: { serverCaBundlePem: fs.readFileSync(config.ca.serverTrustBundle, 'utf8') },
      endpoints: {
        directory: config.directory.web.origin,
        ssa: software.ssaUrl,
        trace: {
          directory: `${config.directory.mtls.origin}/trace`,
          bankOp: `${config.bankOp.mtls.origin}/trace`,
          bankApi: `${config.bankApi.web.origin}/trace`,
        },
        bankIssuer: config.bankOp.issuer,
        bankDiscovery: `${config.bankOp.issuer}/.well-known/openid-configuration`,
        bankApi: config.bankApi.web.origin,
      },
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

/** The bundle as the flow client's Participant: its keys written to files in `folder` (as a learner saves them). */
export function participantFromBundle(bundle: ClientBundle, folder: string): Participant {
  fs.mkdirSync(folder, { recursive: true });
  const write = (name: string, text: string) => {
    const file = path.join(folder, name);
    fs.writeFileSync(file, text, { mode: 0o600 });
    return file;
  };
  return {
    slug: bundle.software.softwareId,
    orgId: bundle.organisation.orgId,
    orgName: bundle.organisation.orgName,
    softwareId: bundle.software.softwareId,
    clientName: bundle.software.clientName,
    roles: bundle.software.roles,
    redirectUris: bundle.software.redirectUris,
    logoUri: `${new URL(bundle.software.redirectUris[0]!).origin}/logo.svg`,
    transportCert: write('transport.crt', bundle.transport.certificatePem),
    transportKey: write('transport.key', bundle.transport.privateKeyPem),
    signingJwks: write('signing.private.jwks.json', JSON.stringify(bundle.signing.privateJwks)),
    signingPublicJwks: write('signing.public.jwks.json', JSON.stringify(bundle.signing.publicJwks)),
  };
}
