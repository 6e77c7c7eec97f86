// Exactly one sender constraint, among the profile's (FAPI 2.0 SP §5.3.2.1-4/-5: mTLS or DPoP;
// FAPI 1.0 Adv §5.2.2-5/-6: mTLS); or none, for FAPI 1.0 Baseline's bearer tokens (Part 1 §6.2.1-2).
import type { SenderConstraint } from '../../profiles/client-policy.js';
import { clausesOf, invalidMetadata, type MetadataCheck, optionalBoolean } from './context.js';

export const senderConstraint: MetadataCheck = {
  name: 'one sender constraint',
  run({ request, profile, metadata }) {
    const mtls = optionalBoolean(request, 'tls_client_certificate_bound_access_tokens');
    const dpop = optionalBoolean(request, 'dpop_bound_access_tokens');
    const clause = clausesOf(profile, 'sender-constrained-tokens', 'bearer-tokens')!;
    const allowed = profile.client.senderConstraints;
    if (mtls && dpop) {
      throw invalidMetadata(
        'tls_client_certificate_bound_access_tokens and dpop_bound_access_tokens are both true',
        clause,
        'choose one sender-constraint method: mTLS certificate binding or DPoP',
      );
    }
    const chosen: SenderConstraint | undefined = mtls
      ? 'mtls'
      : dpop
        ? 'dpop'
        : profile.client.defaultSenderConstraint;
    if (!chosen) {
      throw invalidMetadata(
        `${profile.title} issues only sender-constrained access tokens, and the request chooses no method`,
        clause,
        'send tls_client_certificate_bound_access_tokens: true (RFC 8705) or dpop_bound_access_tokens: true (RFC 9449)',
      );
    }
    if (!allowed.includes(chosen)) {
      throw invalidMetadata(
        `${profile.title} binds access tokens with ${allowed.join(' or ')}, not ${chosen}`,
        clause,
        allowed.includes('none')
          ? 'leave out tls_client_certificate_bound_access_tokens and dpop_bound_access_tokens, or register with fapi_profile "fapi1-advanced" or "fapi2" for sender-constrained tokens'
          : 'send tls_client_certificate_bound_access_tokens: true',
      );
    }
    if (mtls === false && chosen === 'mtls') {
      throw invalidMetadata(
        `${profile.title} requires certificate-bound access tokens`,
        clause,
        'send tls_client_certificate_bound_access_tokens: true, or leave it out',
      );
    }
    if (chosen === 'mtls') metadata.tls_client_certificate_bound_access_tokens = true;
    else if (chosen === 'dpop') metadata.dpop_bound_access_tokens = true;
  },
};
