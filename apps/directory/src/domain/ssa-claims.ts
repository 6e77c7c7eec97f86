// The claims of a software statement assertion (RFC 7591 §2.3), UK Open Banking style: what the directory
// asserts about a TPP's software and its organisation when a bank registers the TPP as a client.
import type { SsaClaims } from '@fapi-sandbox/fapi-core/software-statement';
import { effectiveStatus, type Organisation, obStatus, type SoftwareStatement } from './model.js';

/** How long an SSA may be used to register (the contract: one hour). */
export const SSA_LIFETIME_SECONDS = 3600;

// One definition of the claims for the directory that signs them and the parties that read them.
export type { SsaClaims };

export function ssaClaims(input: {
  issuer: string;
  organisation: Organisation;
  software: SoftwareStatement;
  jwksUri: string;
  jti: string;
  now: Date;
}): SsaClaims {
  const { organisation, software } = input;
  const iat = Math.floor(input.now.getTime() / 1000);
  return {
    iss: input.issuer,
    iat,
    exp: iat + SSA_LIFETIME_SECONDS,
    jti: input.jti,
    software_id: software.softwareId,
    software_client_id: software.softwareId,
    software_client_name: software.clientName,
    software_client_description: software.description,
    software_version: software.version,
    software_redirect_uris: [...software.redirectUris],
    software_jwks_uri: input.jwksUri,
    software_roles: [...software.roles],
    ...(software.logoUri ? { software_logo_uri: software.logoUri } : {}),
    software_status: obStatus(effectiveStatus(organisation.status, software.status)),
    org_id: organisation.orgId,
    org_name: organisation.orgName,
    org_status: obStatus(organisation.status),
  };
}
