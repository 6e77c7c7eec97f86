// What the client may ask for: the profile's response types (FAPI 2.0 SP §5.3.2.2-1, FAPI 1.0 Adv
// §5.2.2-2), the grants the bank offers (FAPI 2.0 SP §5.3.2.1-2: no password grant), and the scopes its
// directory roles allow (OB DCR v3.3 §4.3).
import { CIBA_GRANT_TYPE } from '../../profiles/fapi-ciba.js';
import {
  clausesOf,
  invalidMetadata,
  type MetadataCheck,
  optionalString,
  optionalStringList,
} from './context.js';

const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'];

/** Scopes a software may ask for follow its directory roles (UK OB: AISP reads accounts, PISP pays). */
export function scopesForRoles(roles: readonly string[]): string[] {
  return [
    'openid',
    ...(roles.includes('AISP') ? ['accounts'] : []),
    ...(roles.includes('PISP') ? ['payments'] : []),
  ];
}

const sortedWords = (value: string) => value.split(' ').sort().join(' ');

export const responseTypes: MetadataCheck = {
  name: 'response types of the profile',
  run({ request, profile, metadata }) {
    const policy = profile.client.responseTypes;
    const types = optionalStringList(request, 'response_types') ?? [...policy.default];
    for (const type of types) {
      if (!policy.allowed.some((allowed) => sortedWords(allowed) === sortedWords(type))) {
        throw invalidMetadata(
          `response_type "${type}" is not allowed by ${profile.title}`,
          clausesOf(profile, 'response-type-code', 'response-type')!,
          `use ${policy.allowed.map((allowed) => `"${allowed}"`).join(' or ')}`,
        );
      }
    }
    metadata.response_types = types;
  },
};

export const grantTypes: MetadataCheck = {
  name: 'grant types the bank offers',
  run({ request, profile, metadata }) {
    const grants = optionalStringList(request, 'grant_types') ?? GRANT_TYPES;
    // FAPI-CIBA: the decoupled grant is offered to the profiles that have it (metadata-checks/ciba.ts).
    const offered = profile.client.ciba ? [...GRANT_TYPES, CIBA_GRANT_TYPE] : GRANT_TYPES;
    const unsupported = grants.find((grant) => !offered.includes(grant));
    if (unsupported) {
      throw invalidMetadata(
        `grant_type ${unsupported} is not offered${unsupported === CIBA_GRANT_TYPE ? ` with ${profile.title}` : ''}`,
        unsupported === CIBA_GRANT_TYPE
          ? 'FAPI-CIBA §5.2.2'
          : (clausesOf(profile, 'no-password-grant') ?? 'RFC 7591 §2'),
        unsupported === CIBA_GRANT_TYPE
          ? 'register the CIBA grant with fapi_profile "fapi1-advanced" (FAPI-CIBA builds on FAPI 1.0 Advanced)'
          : `use grant types among ${offered.join(', ')}`,
      );
    }
    metadata.grant_types = grants;
  },
};

export const scopeWithinRoles: MetadataCheck = {
  name: 'scope within the directory roles',
  run({ request, statement, metadata }) {
    const allowed = scopesForRoles(statement.roles);
    const scope = optionalString(request, 'scope') ?? allowed.join(' ');
    const beyondRoles = scope.split(' ').filter((value) => value && !allowed.includes(value));
    // OB DCR v3.3 §4.3: the SSA's software_roles bound what the client may ask for.
    if (beyondRoles.length > 0) {
      throw invalidMetadata(
        `scope ${beyondRoles.join(' ')} is beyond the software's directory roles (${statement.roles.join(', ')})`,
        'OB DCR v3.3 §4.3',
        `ask only for ${allowed.join(' ')}`,
      );
    }
    metadata.scope = scope;
  },
};
