// The directory's public URLs that other parties store or are handed (jwks_uri, SSA endpoint).
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';

function softwarePath(orgId: string, softwareId: string): string {
  return `/organisations/${encodeURIComponent(orgId)}/software-statements/${encodeURIComponent(softwareId)}`;
}

/** The software's JWKS: its `jwks_uri` (`software_jwks_uri` in the SSA). */
export function softwareJwksUri(config: SandboxConfig, orgId: string, softwareId: string): string {
  return `${config.directory.web.origin}${softwarePath(orgId, softwareId)}/jwks`;
}

/** Where the TPP fetches its SSA, with its transport certificate (mTLS listener). */
export function ssaUrl(config: SandboxConfig, orgId: string, softwareId: string): string {
  return `${config.directory.mtls.origin}${softwarePath(orgId, softwareId)}/ssa`;
}
