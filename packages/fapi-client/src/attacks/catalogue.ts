// The attack lab's catalogue, in the order of a connection: authorization request, response, token
// endpoint, bank API, payment, directory.

import {
  accessTokenClaimsEdited,
  accessTokenRevoked,
  dpopOtherKey,
  dpopProofReplayed,
  dpopWithoutAth,
  dpopWrongHtm,
  dpopWrongHtu,
  idempotencyKeyReused,
  otherTppConsent,
  paymentAmountChanged,
  paymentPayeeChanged,
  tokenInQuery,
  tokenWithAnotherCertificate,
  tokenWithoutBinding,
} from './api.js';
import type { Attack, AttackMessage } from './attack.js';
import {
  jarmTampered,
  mixUp,
  redirectUriAltered,
  requestObjectExpired,
  requestObjectTampered,
  requestObjectUnsigned,
  requestObjectWrongAudience,
  requestUriExpired,
  requestUriReplayed,
  stateSwapped,
} from './authorization.js';
import { certificateRevoked, softwareSuspended } from './directory.js';
import {
  clientAssertionReplayed,
  clientAssertionWrongAudience,
  codeInjection,
  codeOfAnotherClient,
  codeReuse,
  pkceVerifierMissing,
  pkceVerifierWrong,
  refreshTokenRevoked,
} from './token.js';

export const ATTACKS: readonly Attack[] = [
  redirectUriAltered,
  otherTppConsent,
  requestObjectTampered,
  requestObjectUnsigned,
  requestObjectExpired,
  requestObjectWrongAudience,
  requestUriReplayed,
  requestUriExpired,
  stateSwapped,
  mixUp,
  jarmTampered,
  codeReuse,
  codeInjection,
  pkceVerifierMissing,
  pkceVerifierWrong,
  codeOfAnotherClient,
  clientAssertionReplayed,
  clientAssertionWrongAudience,
  refreshTokenRevoked,
  tokenWithoutBinding,
  tokenWithAnotherCertificate,
  tokenInQuery,
  dpopProofReplayed,
  dpopWrongHtu,
  dpopWrongHtm,
  dpopWithoutAth,
  dpopOtherKey,
  accessTokenClaimsEdited,
  accessTokenRevoked,
  idempotencyKeyReused,
  paymentAmountChanged,
  paymentPayeeChanged,
  softwareSuspended,
  certificateRevoked,
];

export function attackById(id: string): Attack | undefined {
  return ATTACKS.find((attack) => attack.id === id);
}

/** The attacks that bend one message of a connection (what the TPP's inspector offers beside it). */
export function attacksOn(message: AttackMessage): Attack[] {
  return ATTACKS.filter((attack) => attack.message === message);
}
