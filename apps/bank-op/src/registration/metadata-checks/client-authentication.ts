// How the client authenticates: a confidential-client method the profile allows (FAPI 2.0 SP
// §5.3.2.1-3/-6, FAPI 1.0 Adv §5.2.2-14/-16), and for tls_client_auth the subject of the transport
// certificate the registration arrived with (RFC 8705 §2.1.2).
import { sameDistinguishedName } from '@fapi-sandbox/fapi-core/certificate-identity';
import { clausesOf, invalidMetadata, type MetadataCheck, optionalString } from './context.js';

export const clientAuthentication: MetadataCheck = {
  name: 'client authentication method',
  run({ request, profile, metadata }) {
    const method =
      optionalString(request, 'token_endpoint_auth_method') ?? profile.client.clientAuthMethods[0]!;
    // RFC 8705 §2.2 and §3: a self-signed certificate is no transport certificate of the directory, and a
    // token is bound only to one (mtls/certificate-binding.ts), so the method is not offered.
    if (method === 'self_signed_tls_client_auth') {
      throw invalidMetadata(
        'self_signed_tls_client_auth is not offered: tokens are bound only to the transport certificate the directory issued to the software, and a self-signed certificate is not one',
        'RFC 8705 §2.2 and §3, OB DCR v3.3 §4.2',
        'use tls_client_auth with your transport certificate, or private_key_jwt',
      );
    }
    if (!(profile.client.clientAuthMethods as readonly string[]).includes(method)) {
      throw invalidMetadata(
        `token_endpoint_auth_method ${method} is not allowed by ${profile.title}`,
        clausesOf(profile, 'confidential-clients-only', 'client-authentication')!,
        `use one of ${profile.client.clientAuthMethods.join(', ')}`,
      );
    }
    metadata.token_endpoint_auth_method = method;
  },
};

export const tlsClientAuthSubject: MetadataCheck = {
  name: 'tls_client_auth subject is the transport certificate',
  run({ request, transportSubjectDn, metadata }) {
    if (metadata.token_endpoint_auth_method !== 'tls_client_auth') return;
    // RFC 8705 §2.1.2: the client is known by its certificate's subject, the transport certificate's.
    const requested = optionalString(request, 'tls_client_auth_subject_dn');
    if (requested !== undefined && !sameDistinguishedName(requested, transportSubjectDn)) {
      throw invalidMetadata(
        `tls_client_auth_subject_dn ${requested} is not the subject of the transport certificate this registration arrived with`,
        'RFC 8705 §2.1.2',
        `send ${transportSubjectDn}, or leave it out`,
      );
    }
    metadata.tls_client_auth_subject_dn = transportSubjectDn;
  },
};
