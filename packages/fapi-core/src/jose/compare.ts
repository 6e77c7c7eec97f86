// Constant-time comparison of secrets and hashes (PKCE challenges, thumbprints, DPoP ath, nonces), so a
// verifier's response time tells an attacker nothing about how much of a guess was right.
import { createHash, timingSafeEqual } from 'node:crypto';

/** True when both strings are equal. Both sides are hashed first, so neither length nor content leaks. */
export function constantTimeEqual(a: string, b: string): boolean {
  const digestA = createHash('sha256').update(a, 'utf8').digest();
  const digestB = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(digestA, digestB);
}
