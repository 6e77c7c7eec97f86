// The bend hook: every message the engine sends passes through one function that may change one thing
// before it leaves (a claim before signing, a header, a form field, the key or the certificate), so an
// attack test can show which rule the bank enforces. The default changes nothing.
import type { AsymmetricKeyInput } from '@fapi-sandbox/fapi-core/jose/algorithms';
import { decodeJwt, decodeProtectedHeader, type JWTHeaderParameters, type JWTPayload, SignJWT } from 'jose';
import type { Dispatcher } from 'undici';
import type { StepRef } from './observer.js';

/** An HTTP request about to be sent; `dispatcher` is the TLS client (and so the certificate) it uses. */
export interface HttpMessage extends StepRef {
  kind: 'http';
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  /** application/x-www-form-urlencoded body. */
  form?: Record<string, string>;
  /** application/json body. */
  json?: unknown;
  dispatcher: Dispatcher;
  /** RFC 9449 §8/§9: this is the same request sent again with the nonce the server asked for. */
  nonceRetry?: boolean;
}

/** The private key a JWT is signed with, and its algorithm. */
export interface JwtSigningKey {
  key: AsymmetricKeyInput;
  alg: string;
}

/** A JWT the engine signs: its header and claims before signing, and the key that will sign it. */
export interface JwtMessage extends StepRef {
  kind: 'jwt';
  purpose: 'client_assertion' | 'dpop_proof' | 'request_object';
  header: JWTHeaderParameters;
  claims: JWTPayload;
  key: JwtSigningKey;
}

export type OutgoingMessage = HttpMessage | JwtMessage;

/** Returns the message to send instead (a changed copy), or undefined to send it as it is. */
export type Bend = (message: OutgoingMessage) => OutgoingMessage | undefined;

/** Passes an HTTP message through the hook; `bent` says whether it changed. */
export function bendHttp(
  bend: Bend | undefined,
  message: HttpMessage,
): { message: HttpMessage; bent: boolean } {
  const changed = bend?.(copyOf(message));
  if (changed?.kind !== 'http') return { message, bent: false };
  return { message: changed, bent: true };
}

/**
 * Lets the hook change a JWT the engine has built (with fapi-core's helpers, which hold the rules for its
 * claims) before it is used: when the hook changes the header, claims or key, the JWT is signed again
 * with what it returned, so the signature covers the bent claims.
 */
export async function bendJwt(
  bend: Bend | undefined,
  step: StepRef,
  purpose: JwtMessage['purpose'],
  jwt: string,
  key: JwtSigningKey,
): Promise<string> {
  if (!bend) return jwt;
  const message: JwtMessage = {
    ...step,
    kind: 'jwt',
    purpose,
    header: decodeProtectedHeader(jwt) as JWTHeaderParameters,
    claims: decodeJwt(jwt),
    key,
  };
  const changed = bend(copyOf(message));
  if (changed?.kind !== 'jwt') return jwt;
  return new SignJWT(changed.claims).setProtectedHeader(changed.header).sign(changed.key.key);
}

/** A copy the hook may edit in place; keys and dispatchers are shared, not cloned. */
export function copyOf<T extends OutgoingMessage>(message: T): T {
  if (message.kind === 'http') {
    return {
      ...message,
      headers: { ...message.headers },
      ...(message.form ? { form: { ...message.form } } : {}),
      ...(message.json !== undefined ? { json: structuredClone(message.json) } : {}),
    };
  }
  return { ...message, header: { ...message.header }, claims: structuredClone(message.claims) };
}
