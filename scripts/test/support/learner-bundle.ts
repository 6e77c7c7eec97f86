// A learner's client bundle, made as a learner makes one: sign up at the directory's developer portal with
// the sandbox's invite code, register a software statement, download the bundle (POST .../bundle).
// For tests that bring their own client to a running directory (see apps/directory/src/routes/portal.ts).
import fs from 'node:fs';
import type { ClientBundle } from '@fapi-sandbox/fapi-core/client-bundle';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
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

/** Signs up a new organisation through the portal API and returns a bundle for one new software statement. */
export async function createLearnerBundle(
  config: SandboxConfig,
  options: { orgName?: string; redirectUris?: string[]; roles?: string[] } = {},
): Promise<ClientBundle> {
  const inviteCode = fs.readFileSync(config.directory.inviteCodeFile, 'utf8').trim();
  const signedUp = await portalCall<{ organisation: { orgId: string }; developerToken: string }>(
    config,
    '/sign-up',
    { inviteCode, orgName: options.orgName ?? 'Learner Ltd' },
  );
  const { orgId } = signedUp.organisation;
  const token = signedUp.developerToken;
  const software = await portalCall<{ softwareId: string }>(
    config,
    `/organisations/${orgId}/software-statements`,
    {
      clientName: `${options.orgName ?? 'Learner'} client`,
      roles: options.roles ?? ['AISP', 'PISP'],
      redirectUris: options.redirectUris ?? ['https://localhost:3443/callback'],
    },
    token,
  );
  return portalCall<ClientBundle>(
    config,
    `/organisations/${orgId}/software-statements/${software.softwareId}/bundle`,
    undefined,
    token,
  );
}
