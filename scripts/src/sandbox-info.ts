// `pnpm --silent sandbox:info`: the sandbox's addresses and credential paths as JSON, for scripts,
// curl recipes and the conformance suite setup. Data from the configuration, and the developer portal's
// invite code from the file the directory created at its first start (null before that): nothing is started.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Listener, type Party, type SandboxConfig, sandboxConfig } from '@fapi-sandbox/fapi-core/config';

function origins(party: Party & { mtls?: Listener }) {
  return { title: party.title, web: party.web.origin, mtls: party.mtls?.origin ?? null };
}

function participantInfo(config: SandboxConfig, which: 'demo' | 'second') {
  const p = config.participants[which];
  return {
    clientName: p.clientName,
    orgId: p.orgId,
    softwareId: p.softwareId,
    transportCert: p.transportCert,
    transportKey: p.transportKey,
    signingJwks: p.signingJwks,
    signingPublicJwks: p.signingPublicJwks,
    ssaUrl: ssaUrl(config, p.orgId, p.softwareId),
  };
}

/** Where a participant fetches its software statement assertion (over mTLS, with its transport cert). */
export function ssaUrlPattern(config: SandboxConfig): string {
  return `${config.directory.mtls.origin}/organisations/{orgId}/software-statements/{softwareId}/ssa`;
}

export function ssaUrl(config: SandboxConfig, orgId: string, softwareId: string): string {
  return ssaUrlPattern(config)
    .replace('{orgId}', encodeURIComponent(orgId))
    .replace('{softwareId}', encodeURIComponent(softwareId));
}

/** The invite code a learner signs up to the developer portal with, or null before the directory's first start. */
export function inviteCodeOf(config: SandboxConfig): string | null {
  const file = config.directory.inviteCodeFile;
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : null;
}

export function sandboxInfo(config: SandboxConfig) {
  return {
    parties: {
      directory: origins(config.directory),
      bankOp: origins(config.bankOp),
      bankApi: origins(config.bankApi),
      tpp: origins(config.tpp),
    },
    op: {
      issuer: config.bankOp.issuer,
      discoveryUrl: `${config.bankOp.issuer}/.well-known/openid-configuration`,
    },
    bankApi: { baseUrl: config.bankApi.baseUrl },
    /** What a client trusts to reach any party (curl --cacert, NODE_EXTRA_CA_CERTS). */
    caBundle: config.ca.serverTrustBundle,
    tpp: {
      demo: participantInfo(config, 'demo'),
      second: participantInfo(config, 'second'),
    },
    directory: {
      ssaUrlPattern: ssaUrlPattern(config),
      portal: `${config.directory.web.origin}/portal`,
      inviteCodeFile: config.directory.inviteCodeFile,
    },
    /** Bring your own client: the developer portal's sign-up needs it. */
    inviteCode: inviteCodeOf(config),
    pkiManifest: config.pkiManifest,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify(sandboxInfo(sandboxConfig()), null, 2)}\n`);
}
