// The client's half of FAPI 2.0 HTTP message signing (FAPI 2.0 Message Signing NR5/NR6): it signs a
// resource request with a key of its registered JWKS (FAPI 2.0 HTTP Signatures §5.3.1.1) and accepts the
// answer only when the resource server signed it, bound to that very request (§5.3.2.2). The rules are
// fapi-core's (http-signatures.ts), the same the bank applies; this module reports them as checks.
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import {
  CLAUSES,
  type HttpRequestParts,
  type KeyLookup,
  type MessageSignature,
  type MessageSigningKey,
  signRequest,
  verifyResponse,
} from '@fapi-sandbox/fapi-core/http-signatures';
import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';
import type { ExchangeResponse } from './exchange.js';

export interface MessageSigning {
  /** The client's signing key, from the JWKS its software statement publishes (keyid = kid). */
  key: MessageSigningKey;
  /** The resource server's published keys, by kid. */
  serverKeys: KeyLookup;
}

/** What was signed each way, and the checks of the answer: what the flow inspector explains. */
export interface SignedExchange {
  request: MessageSignature;
  response?: MessageSignature;
  checks: CheckResult[];
}

/** The resource server's answer was not signed as FAPI asks: the client does not act on it. */
export class ResponseSignatureRejected extends OAuthError {
  constructor(
    readonly signed: SignedExchange,
    init: ConstructorParameters<typeof OAuthError>[0],
  ) {
    super(init);
    this.name = 'ResponseSignatureRejected';
  }
}

function requestCheck(signature: MessageSignature): CheckResult {
  return {
    name: `Request signed with Moneywise's key ${signature.keyid} (${signature.alg})`,
    passed: true,
    clause: CLAUSES.requestSigner,
    detail: `tag ${signature.tag}, created ${new Date(signature.created * 1000).toISOString()}; covers ${signature.covered.join(' ')}`,
  };
}

/** §5.3.1.1: the headers that sign `request` (Content-Digest, Signature-Input, Signature). */
export async function signResourceRequest(
  signing: MessageSigning,
  request: HttpRequestParts,
): Promise<{ headers: Record<string, string>; signature: MessageSignature }> {
  return signRequest(signing.key, request);
}

/**
 * §5.3.2.2: checks the answer to a signed request. Resolves with both signatures and the checks; throws
 * ResponseSignatureRejected (carrying them) when the answer is unsigned, forged or bound to another request.
 */
export async function checkSignedResponse(
  signing: MessageSigning,
  sent: HttpRequestParts,
  requestSignature: MessageSignature,
  response: ExchangeResponse,
): Promise<SignedExchange> {
  const checks: CheckResult[] = [requestCheck(requestSignature)];
  try {
    const signature = await verifyResponse(
      { status: response.status, headers: response.headers, body: response.text },
      sent,
      {
        keys: signing.serverKeys,
        reject: (violation) =>
          new OAuthError({ status: 502, error: 'invalid_response_signature', ...violation }),
      },
    );
    checks.push({
      name: `Response signed by the bank's key ${signature.keyid} (${signature.alg}), bound to this request`,
      passed: true,
      clause: CLAUSES.responseVerifier,
      detail: `tag ${signature.tag}, created ${new Date(signature.created * 1000).toISOString()}; covers ${signature.covered.join(' ')}`,
    });
    return { request: requestSignature, response: signature, checks };
  } catch (err) {
    if (!(err instanceof OAuthError)) throw err;
    checks.push({
      name: "Response signed by the bank's key, bound to this request",
      passed: false,
      clause: err.clause ?? CLAUSES.responseVerifier,
      detail: err.description,
    });
    throw new ResponseSignatureRejected(
      { request: requestSignature, checks },
      {
        status: 502,
        error: 'invalid_response_signature',
        description: `The bank's answer (${response.status}) is not signed as FAPI asks, so Moneywise cannot hold the bank to it and does not act on it: ${err.description}`,
        clause: err.clause ?? CLAUSES.responseVerifier,
        fix: err.fix ?? 'the resource server must sign its response (RFC 9421) with tag fapi-2-response',
      },
    );
  }
}
