// Constant-time comparison of secrets and hashes (PKCE challenges, thumbprints, DPoP ath, nonces), so a
// verifier's response time tells an attacker nothing about how much of a guess was right.
import { hash, timingSafeEqual } from 'node:crypto';

/** True when both strings are equal. Both sides are hashed first, so neither length nor content leaks. */
export function constantTimeEqual(a: string, b: string): boolean {
  // One-shot digests: no Hash object per side, on every thumbprint, ath and PKCE comparison.
  return timingSafeEqual(hash('sha256', a, 'buffer'), hash('sha256', b, 'buffer'));
}
