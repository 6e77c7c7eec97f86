// The keys the bank API signs its answers with (FAPI 2.0 HTTP Signatures §5.3.2.2-1: the client "shall
// retrieve the valid public key for the resource server"), read from the bank API's /jwks over the bank's
// TLS, so a key is the bank's because the bank's certificate served it. Kept until an answer names a kid
// the copy lacks (a rotation), then read again once (RFC 7517 §4.5).
import type { KeyLookup } from '@fapi-sandbox/fapi-core/http-signatures';
import type { JWK } from 'jose';
import type { Dispatcher } from 'undici';
import { type CallContext, type TppEngine, tppStep } from '../connect/engine.js';
import { PartyError } from '../http/party-error.js';

export type BankApiKeys = (context: CallContext) => KeyLookup;

export function createBankApiKeys(deps: {
  engine: TppEngine;
  origin: string;
  /** Trusts the sandbox CA: the bank's certificate is what vouches for its keys. */
  dispatcher: Dispatcher;
}): BankApiKeys {
  let keys: JWK[] | undefined;

  async function fetchKeys(context: CallContext): Promise<JWK[]> {
    const response = await deps.engine.exchange({
      ...tppStep('bank-api-jwks', context),
      kind: 'http',
      method: 'GET',
      url: `${deps.origin}/jwks`,
      headers: {},
      dispatcher: deps.dispatcher,
    });
    const found = (response.body as { keys?: unknown } | undefined)?.keys;
    if (!response.ok || !Array.isArray(found)) {
      throw PartyError.fromResponse('bank-api', 'Fetch the bank API’s signing keys', response);
    }
    keys = found as JWK[];
    return keys;
  }

  return (context) => async (kid) => {
    const known = keys?.find((key) => key.kid === kid);
    if (known) return known;
    return (await fetchKeys(context)).find((key) => key.kid === kid && key.use !== 'enc');
  };
}
