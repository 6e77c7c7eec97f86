// What Moneywise asks the bank for, per way of connecting, and the version stored with a registration.

import { metadataVersion, requestedMetadata } from '@fapi-sandbox/fapi-client';
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/connect/profiles.js';

const base = { redirectUri: 'https://tpp.localhost:8543/callback', clientName: 'Moneywise' };

describe('client metadata', () => {
  it('names the FAPI profile and everything FAPI 1.0 Advanced asks of a client', () => {
    const metadata = requestedMetadata({
      ...base,
      profile: PROFILES['fapi1-advanced'],
      clientAuth: 'private_key_jwt',
    });
    expect(metadata).toMatchObject({
      fapi_profile: 'fapi1-advanced',
      require_signed_request_object: true,
      request_object_signing_alg: 'PS256',
      authorization_signed_response_alg: 'PS256',
      tls_client_certificate_bound_access_tokens: true,
      dpop_bound_access_tokens: false,
      token_endpoint_auth_signing_alg: 'PS256',
    });
  });

  it('names FAPI 2.0 and the sender constraint explicitly, and asks for no request objects or JARM', () => {
    const dpop = requestedMetadata({
      ...base,
      profile: PROFILES['fapi2-dpop'],
      clientAuth: 'tls_client_auth',
    });
    expect(dpop).toMatchObject({
      fapi_profile: 'fapi2',
      dpop_bound_access_tokens: true,
      tls_client_certificate_bound_access_tokens: false,
    });
    expect(dpop).not.toHaveProperty('require_signed_request_object');
    expect(dpop).not.toHaveProperty('authorization_signed_response_alg');
    expect(dpop).not.toHaveProperty('token_endpoint_auth_signing_alg');
    const mtls = requestedMetadata({
      ...base,
      profile: PROFILES['fapi2-mtls'],
      clientAuth: 'private_key_jwt',
    });
    expect(mtls).toMatchObject({ fapi_profile: 'fapi2', tls_client_certificate_bound_access_tokens: true });
  });

  it('versions the metadata independently of key order, and differently when anything changes', () => {
    const metadata = requestedMetadata({
      ...base,
      profile: PROFILES['fapi2-mtls'],
      clientAuth: 'private_key_jwt',
    });
    const reordered = Object.fromEntries(Object.entries(metadata).reverse());
    expect(metadataVersion(reordered)).toBe(metadataVersion(metadata));
    const { fapi_profile: _profile, ...unnamed } = metadata;
    expect(metadataVersion(unnamed)).not.toBe(metadataVersion(metadata));
    const versions = new Set(
      (['fapi2-dpop', 'fapi2-mtls', 'fapi1-advanced'] as const).flatMap((profile) =>
        (['private_key_jwt', 'tls_client_auth'] as const).map((clientAuth) =>
          metadataVersion(requestedMetadata({ ...base, profile: PROFILES[profile], clientAuth })),
        ),
      ),
    );
    expect(versions.size).toBe(6);
  });
});
