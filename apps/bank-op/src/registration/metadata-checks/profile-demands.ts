// What the profile demands of every client, written into its record so oidc-provider enforces it per
// client: PAR (FAPI 2.0 SP §5.3.2.2-3), signed request objects (FAPI 1.0 Adv §5.2.2-1), auth_time in
// ID tokens (OIDC Core §2), and the request's own choices that only add to them.
import { type MetadataCheck, optionalBoolean } from './context.js';

/** Descriptive metadata passed through as sent (RFC 7591 §2). */
const INFORMATIONAL = ['contacts', 'client_uri', 'policy_uri', 'tos_uri'];

export const profileDemands: MetadataCheck = {
  name: 'profile demands on every client',
  run({ request, profile, metadata }) {
    const policy = profile.client;
    // OIDC Core §2: ID tokens carry auth_time (with acr) so the TPP sees when the customer authenticated.
    metadata.require_auth_time = true;
    metadata.require_pushed_authorization_requests =
      policy.requirePushedAuthorizationRequests ||
      optionalBoolean(request, 'require_pushed_authorization_requests') === true;
    metadata.require_signed_request_object =
      policy.requireSignedRequestObject || optionalBoolean(request, 'require_signed_request_object') === true;
    // RFC 8705 §5: the client says whether it calls the mTLS endpoint aliases.
    const useAliases = optionalBoolean(request, 'use_mtls_endpoint_aliases');
    if (useAliases !== undefined) metadata.use_mtls_endpoint_aliases = useAliases;
  },
};

export const informational: MetadataCheck = {
  name: 'descriptive metadata',
  run({ request, metadata }) {
    for (const name of INFORMATIONAL) {
      if (request[name] !== undefined) metadata[name] = request[name];
    }
  },
};
