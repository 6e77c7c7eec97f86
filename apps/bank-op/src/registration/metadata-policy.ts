// What a client is registered with, decided by a list of small named checks run in order (one file per
// concern in metadata-checks/, each with its clause), the way bank-api's pipeline runs its checks. The
// software statement fixes who the client is (name, logo, keys, the redirect URIs it may use); the
// request chooses, within what the bank allows, how it will work (profile, client authentication,
// sender constraint, response types, scopes); and the profile adds what it demands of every client
// (profiles/client-policy.ts). The result is handed to oidc-provider, which validates it again and
// stores the client.
//   1. software identity from the SSA       (RFC 7591 §2.3, OB DCR v3.3 §4.3)
//   2. client keys are the software JWKS     (OB DCR v3.3 §4.3)
//   3. redirect URIs within the SSA, https   (OB DCR v3.3 §4.3; FAPI 2.0 SP §5.3.2.2-8, FAPI 1.0 §5.2.2-20)
//   4. client authentication method          (FAPI 2.0 SP §5.3.2.1-3/-6, FAPI 1.0 Adv §5.2.2-14/-16)
//   5. one sender constraint                 (FAPI 2.0 SP §5.3.2.1-4/-5, FAPI 1.0 Adv §5.2.2-5/-6)
//   6. response types of the profile         (FAPI 2.0 SP §5.3.2.2-1, FAPI 1.0 Adv §5.2.2-2)
//   7. grant types the bank offers           (FAPI 2.0 SP §5.3.2.1-2)
//   8. scope within the directory roles      (OB DCR v3.3 §4.3)
//   9. signing algorithms of the profile     (FAPI 2.0 SP §5.4.1-1, FAPI 1.0 Adv §8.6-1)
//  10. profile demands on every client       (FAPI 2.0 SP §5.3.2.2-3, FAPI 1.0 Adv §5.2.2-1)
//  11. tls_client_auth subject               (RFC 8705 §2.1.2)
//  12. descriptive metadata                  (RFC 7591 §2)
//  (after 9) encryption algorithms          (OIDC Registration §2, RFC 9101 §6.1)
//  13. access token format                   (RFC 9068 or RFC 7662; sandbox extension)
//  (after 7) decoupled authentication     (FAPI-CIBA §5.2.2-3/-6, CIBA §4)
import type { JSONWebKeySet } from 'jose';
import {
  DEFAULT_PROFILE,
  isProfileId,
  PROFILE_METADATA,
  type ProfileDefinition,
  profiles,
} from '../profiles/index.js';
import { ACCESS_TOKEN_FORMAT_METADATA } from '../provider/access-token-format.js';
import { accessTokenFormat } from './metadata-checks/access-token-format.js';
import { signingAlgorithms } from './metadata-checks/algorithms.js';
import { ciba } from './metadata-checks/ciba.js';
import { clientAuthentication, tlsClientAuthSubject } from './metadata-checks/client-authentication.js';
import { invalidMetadata, type MetadataCheck, type RegistrationRequest } from './metadata-checks/context.js';
import { encryption } from './metadata-checks/encryption.js';
import { grantTypes, responseTypes, scopeWithinRoles } from './metadata-checks/grants-and-scopes.js';
import { informational, profileDemands } from './metadata-checks/profile-demands.js';
import { redirectUris } from './metadata-checks/redirect-uris.js';
import { senderConstraint } from './metadata-checks/sender-constraint.js';
import { softwareIdentity, softwareKeys } from './metadata-checks/software-identity.js';
import type { VerifiedSoftwareStatement } from './software-statement.js';

export type { MetadataCheck, RegistrationRequest } from './metadata-checks/context.js';
export { scopesForRoles } from './metadata-checks/grants-and-scopes.js';

/** Custom client metadata bank-op stores with each client (oidc-provider extraClientMetadata). */
export const EXTRA_CLIENT_METADATA = [
  PROFILE_METADATA,
  'software_id',
  'org_id',
  'software_roles',
  'software_statement',
  ACCESS_TOKEN_FORMAT_METADATA,
];

/** The checks every registration (and registration update) runs, in order. */
export const registrationChecks: readonly MetadataCheck[] = [
  softwareIdentity,
  softwareKeys,
  redirectUris,
  clientAuthentication,
  senderConstraint,
  responseTypes,
  grantTypes,
  ciba,
  scopeWithinRoles,
  signingAlgorithms,
  encryption,
  profileDemands,
  tlsClientAuthSubject,
  informational,
  accessTokenFormat,
];

/** The profile the request asks for (FAPI 2.0 when it names none). */
export function chooseProfile(request: RegistrationRequest): ProfileDefinition {
  const requested = request[PROFILE_METADATA] ?? DEFAULT_PROFILE;
  if (!isProfileId(requested)) {
    throw invalidMetadata(
      `${PROFILE_METADATA} ${JSON.stringify(requested)} is not a profile this bank offers`,
      'bank-op registration policy',
      `send ${PROFILE_METADATA} "fapi2" (FAPI 2.0 Security Profile, the default), "fapi1-advanced" (FAPI 1.0 Advanced) or "fapi1-baseline" (FAPI 1.0 Baseline)`,
    );
  }
  return profiles[requested];
}

export interface RegistrationContext {
  request: RegistrationRequest;
  statement: VerifiedSoftwareStatement;
  /** RFC 4514 subject of the transport certificate the registration arrived with. */
  transportSubjectDn: string;
  /** The software's JWKS from the directory (already checked against the profile). */
  softwareJwks: JSONWebKeySet;
}

/** The client metadata to register, or an invalid_client_metadata / invalid_redirect_uri error. */
export function clientMetadataFor(
  context: RegistrationContext,
  checks: readonly MetadataCheck[] = registrationChecks,
): Record<string, unknown> {
  const run = { ...context, profile: chooseProfile(context.request), metadata: {} };
  for (const check of checks) check.run(run);
  return run.metadata;
}
