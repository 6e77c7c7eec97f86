// The profile a connection runs under, as the inspector's explanations name it: the FAPI profile, how its
// tokens are sender-constrained, and how Moneywise authenticates ("FAPI 2.0 + DPoP, private_key_jwt").
import { PROFILES } from '../connect/profiles.js';
import type { Connection } from '../store/connections.js';

export function profileInWords(connection: Pick<Connection, 'profile' | 'clientAuth'>): string {
  const profile = PROFILES[connection.profile];
  // FAPI 1.0 Part 1 §6.2.1-2: Baseline tokens are bearer tokens, bound to nothing.
  if (profile.senderConstraint === 'none') return `${profile.title}, ${connection.clientAuth}`;
  const binding = profile.senderConstraint === 'dpop' ? 'DPoP' : 'mTLS';
  const named = profile.title.includes(binding)
    ? profile.title
    : `${profile.title} with ${binding}-bound tokens`;
  return `${named}, ${connection.clientAuth}`;
}
