// The bodies the admin API accepts. Unknown fields are refused, so a typo never silently does nothing.
import { z } from 'zod';
import { IDENTIFIER_PATTERN } from '../domain/identifiers.js';
import {
  CERTIFICATE_TYPES,
  PARTICIPANT_STATUSES,
  REVOCATION_REASONS,
  SOFTWARE_ROLES,
} from '../domain/model.js';

function isHttpsUrl(value: string, allowQuery = true): boolean {
  try {
    const url = new URL(value);
    return (
      url.protocol === 'https:' &&
      url.hash === '' &&
      !value.includes('#') &&
      (allowQuery || url.search === '')
    );
  } catch {
    return false;
  }
}

const identifier = (what: string) =>
  z
    .string()
    .regex(
      IDENTIFIER_PATTERN,
      `${what} must be 3 to 64 letters, digits, '-' or '_', starting with a letter or digit`,
    );

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const httpsUrl = z
  .string()
  .max(2000)
  .refine((value) => isHttpsUrl(value), 'must be an absolute https URL without a fragment');

/** FAPI 1.0 Part 1 §5.2.2-20 (https only) and RFC 6749 §3.1.2 (absolute, no fragment). */
const redirectUri = z
  .string()
  .max(2000)
  .refine(
    (value) => isHttpsUrl(value),
    'must be an absolute https URL without a fragment (FAPI 1.0 Part 1 §5.2.2-20, RFC 6749 §3.1.2)',
  );

export const newOrganisationBody = z.strictObject({
  orgId: identifier('orgId').optional(),
  // The name becomes the O attribute of the organisation's certificates: X.520 ub-organization-name is 64.
  orgName: text(64),
});

export const newAuthorisationServerBody = z.strictObject({
  issuer: httpsUrl,
  discoveryUrl: httpsUrl.optional(),
  apiBaseUrl: httpsUrl,
  customerFriendlyName: text(200),
  logoUri: httpsUrl.optional(),
});

export const newSoftwareStatementBody = z.strictObject({
  softwareId: identifier('softwareId').optional(),
  clientName: text(100),
  description: text(500).optional(),
  version: text(20).optional(),
  roles: z.array(z.enum(SOFTWARE_ROLES)).min(1, 'must name at least one role').max(SOFTWARE_ROLES.length),
  redirectUris: z.array(redirectUri).min(1, 'must hold at least one redirect URI').max(10),
  logoUri: httpsUrl.optional(),
});

/** The developer portal's software statement: the admin API's body, the id always minted by the directory. */
export const portalSoftwareStatementBody = newSoftwareStatementBody.omit({ softwareId: true });

/** Developer portal sign-up (the invite code is checked before this body is validated). */
export const portalSignUpBody = z.strictObject({
  inviteCode: z.string().max(64),
  orgName: newOrganisationBody.shape.orgName,
});

export const statusBody = z.strictObject({ status: z.enum(PARTICIPANT_STATUSES) });

export const issueCertificateBody = z.strictObject({
  type: z.enum(CERTIFICATE_TYPES),
  csr: z.string().min(1, 'must hold a PEM certificate request').max(16_000),
});

/** `confirm` names the certificate the caller agrees to revoke: a reissue without it changes nothing. */
export const reissueCertificateBody = z.strictObject({
  confirm: z.string().max(64).optional(),
});

export const revokeCertificateBody = z.strictObject({
  reason: z.enum(REVOCATION_REASONS).optional(),
});
