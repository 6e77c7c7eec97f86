// Decoupled authentication (FAPI-CIBA) metadata, for a client that registers the CIBA grant: how it gets
// its tokens (poll or ping, never push: FAPI-CIBA §5.2.2-3), where the bank pings it (CIBA §4), and the
// algorithm its signed authentication requests use (FAPI-CIBA §5.2.2-6, CIBA §7.1.1).
import { CIBA_GRANT_TYPE } from '../../profiles/fapi-ciba.js';
import { invalidMetadata, type MetadataCheck, optionalString } from './context.js';

const CIBA_METADATA = [
  'backchannel_token_delivery_mode',
  'backchannel_client_notification_endpoint',
  'backchannel_authentication_request_signing_alg',
];

export const ciba: MetadataCheck = {
  name: 'decoupled authentication (FAPI-CIBA)',
  run({ request, profile, statement, metadata }) {
    const grants = metadata.grant_types as string[];
    if (!grants.includes(CIBA_GRANT_TYPE)) {
      const stray = CIBA_METADATA.find((name) => request[name] !== undefined);
      if (stray) {
        throw invalidMetadata(
          `${stray} is sent without the CIBA grant`,
          'CIBA §4',
          `add "${CIBA_GRANT_TYPE}" to grant_types, or leave out the backchannel_* metadata`,
        );
      }
      return;
    }
    // grants-and-scopes.ts offers the grant only to profiles that have a CIBA policy.
    const policy = profile.client.ciba!;
    const mode = optionalString(request, 'backchannel_token_delivery_mode');
    if (mode === 'push') {
      throw invalidMetadata(
        'backchannel_token_delivery_mode "push" is not offered: tokens are never pushed to the client',
        'FAPI-CIBA §5.2.2-3',
        'register "poll" (the client polls the token endpoint) or "ping" (the bank notifies, the client fetches)',
      );
    }
    if (mode === undefined || !(policy.deliveryModes as readonly string[]).includes(mode)) {
      throw invalidMetadata(
        `backchannel_token_delivery_mode ${mode === undefined ? 'is missing' : `"${mode}" is unknown`}`,
        'CIBA §4, FAPI-CIBA §5.2.2-4',
        `send backchannel_token_delivery_mode ${policy.deliveryModes.map((m) => `"${m}"`).join(' or ')}`,
      );
    }
    metadata.backchannel_token_delivery_mode = mode;

    const endpoint = optionalString(request, 'backchannel_client_notification_endpoint');
    if (mode === 'ping') {
      // CIBA §4: ping needs the endpoint, over https. The bank posts to it, so it must be the software's
      // own origin, as the directory lists it (no request to a host the TPP does not run).
      const url = endpoint ? URL.parse(endpoint) : null;
      const origins = statement.redirectUris.map((uri) => URL.parse(uri)?.origin);
      if (url?.protocol !== 'https:' || !origins.includes(url.origin)) {
        throw invalidMetadata(
          `backchannel_client_notification_endpoint ${endpoint ? `${endpoint} is not an https URL on the software's own origin` : 'is missing'}`,
          'CIBA §4, OB DCR v3.3 §4.3',
          `send an https URL on the origin of the SSA's redirect URIs (${[...new Set(origins)].join(', ')})`,
        );
      }
      metadata.backchannel_client_notification_endpoint = endpoint;
    } else if (endpoint !== undefined) {
      throw invalidMetadata(
        'backchannel_client_notification_endpoint is sent with the poll mode, which never notifies',
        'CIBA §4',
        'leave it out, or register backchannel_token_delivery_mode "ping"',
      );
    }

    const alg = optionalString(request, 'backchannel_authentication_request_signing_alg');
    if (!alg || !(profile.client.signingAlgs as readonly string[]).includes(alg)) {
      throw invalidMetadata(
        `backchannel_authentication_request_signing_alg ${alg ? `${alg} is not allowed by ${profile.title}` : 'is missing: every authentication request must be signed'}`,
        'FAPI-CIBA §5.2.2-6, CIBA §7.1.1',
        `send backchannel_authentication_request_signing_alg, one of ${profile.client.signingAlgs.join(', ')}`,
      );
    }
    metadata.backchannel_authentication_request_signing_alg = alg;
  },
};
