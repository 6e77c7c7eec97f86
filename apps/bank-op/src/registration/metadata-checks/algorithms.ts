// FAPI 2.0 SP §5.4.1-1, FAPI 1.0 Adv §8.6-1: what the bank signs for the client (ID token, JARM) and
// what the client signs (client assertions, request objects) use the profile's algorithms only.
import type { ProfileDefinition } from '../../profiles/index.js';
import {
  clausesOf,
  invalidMetadata,
  type MetadataCheck,
  optionalString,
  type RegistrationRequest,
} from './context.js';

function algorithm(
  request: RegistrationRequest,
  profile: ProfileDefinition,
  name: string,
  allowed: readonly string[],
  fallback?: string,
): string | undefined {
  const value = optionalString(request, name) ?? fallback;
  if (value !== undefined && !allowed.includes(value)) {
    throw invalidMetadata(
      `${name} ${value} is not allowed by ${profile.title}`,
      clausesOf(profile, 'signing-algorithms')!,
      `use one of ${allowed.join(', ')}`,
    );
  }
  return value;
}

export const signingAlgorithms: MetadataCheck = {
  name: 'signing algorithms of the profile',
  run({ request, profile, metadata }) {
    const bankAlgs = profile.client.bankSigningAlgs;
    const clientAlgs = profile.client.signingAlgs;
    metadata.id_token_signed_response_alg = algorithm(
      request,
      profile,
      'id_token_signed_response_alg',
      bankAlgs,
      bankAlgs[0],
    );
    metadata.authorization_signed_response_alg = algorithm(
      request,
      profile,
      'authorization_signed_response_alg',
      bankAlgs,
      bankAlgs[0],
    );
    const assertionAlg = algorithm(request, profile, 'token_endpoint_auth_signing_alg', clientAlgs);
    if (assertionAlg && metadata.token_endpoint_auth_method === 'private_key_jwt') {
      metadata.token_endpoint_auth_signing_alg = assertionAlg;
    }
    const requestObjectAlg = algorithm(request, profile, 'request_object_signing_alg', clientAlgs);
    if (requestObjectAlg) metadata.request_object_signing_alg = requestObjectAlg;
  },
};
