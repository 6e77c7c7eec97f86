// A learner's client bundle, made as a learner makes one: sign up at the directory's developer portal with
// the sandbox's invite code, register a software statement, download the bundle (POST .../bundle).
// For tests that bring their own client to a running directory (see apps/directory/src/routes/portal.ts).
import fs from 'node:fs';
import path from 'node:path';
import type { ClientBundle } from '@fapi-sandbox/fapi-core/client-bundle';
import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { fetch } from 'undici';

export type { ClientBundle };

async function portalCall<T>(config: SandboxConfig, path: string, body: unknown, token?: string): Promise<T> {
  const agent = createSandboxAgent({}, config);
  try {
    const response = await fetch(`${config.directory.web.origin}/portal${path}`, {
      method: 'POST',
      dispatcher: agent,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== 201) throw new Error(`POST /portal${path}: ${response.status} ${text}`);
    return JSON.parse(text) as T;
  } finally {
    await agent.close();
  }
}

export interface PortalOrganisation {
  orgId: string;
  /** The developer token the sign-up answered with: it registers the organisation's software. */
  token: string;
}

/** Signs up a new organisation through the portal API, with the sandbox's invite code. */
export async function signUpOrganisation(
  config: SandboxConfig,
  orgName: string,
): Promise<PortalOrganisation> {
  const inviteCode = fs.readFileSync(config.directory.inviteCodeFile, 'utf8').trim();
  const signedUp = await portalCall<{ organisation: { orgId: string }; developerToken: string }>(
    config,
    '/sign-up',
    { inviteCode, orgName },
  );
  return { orgId: signedUp.organisation.orgId, token: signedUp.developerToken };
}

/** Registers one new software statement of `org` and downloads its bundle. */
export async function softwareBundle(
  config: SandboxConfig,
  org: PortalOrganisation,
  options: { clientName: string; redirectUris?: string[]; roles?: string[] },
): Promise<ClientBundle> {
  const software = await portalCall<{ softwareId: string }>(
    config,
    `/organisations/${org.orgId}/software-statements`,
    {
      clientName: options.clientName,
      roles: options.roles ?? ['AISP', 'PISP'],
      redirectUris: options.redirectUris ?? ['https://localhost:3443/callback'],
    },
    org.token,
  );
  return portalCall<ClientBundle>(
    config,
    `/organisations/${org.orgId}/software-statements/${software.softwareId}/bundle`,
    undefined,
    org.token,
  );
}

/** Signs up a new organisation through the portal API and returns a bundle for one new software statement. */
export async function createLearnerBundle(
  config: SandboxConfig,
  options: { orgName?: string; clientName?: string; redirectUris?: string[]; roles?: string[] } = {},
): Promise<ClientBundle> {
  const org = await signUpOrganisation(config, options.orgName ?? 'Learner Ltd');
  return softwareBundle(config, org, {
    clientName: options.clientName ?? `${options.orgName ?? 'Learner'} client`,
    ...(options.redirectUris ? { redirectUris: options.redirectUris } : {}),
    ...(options.roles ? { roles: options.roles } : {}),
  });
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
