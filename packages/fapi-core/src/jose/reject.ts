// How a failed JOSE check becomes an answer: an OAuthError (RFC 6749 §5.2 shape) whose description
// names what is wrong, the clause that requires it, and the fix. Each verifier decides the error code
// and status once; every check then only states the violation.
import { composeDescription, OAuthError } from '../errors.js';

export interface Violation {
  /** What is wrong, in plain words, e.g. "DPoP proof htu 'https://x/a' does not match …". */
  description: string;
  /** The clause that requires it, e.g. "RFC 9449 §4.3 check 9". */
  clause: string;
  /** What the sender should do instead. */
  fix: string;
}

/** Builds the error a failed check throws: an OAuthError for requests, a plain Error for local misuse. */
export type Reject = (violation: Violation) => Error;

/** A `Reject` answering with one error code and status (and optional headers built from the violation). */
export function rejectAs(
  error: string,
  status: number,
  headers?: (violation: Violation) => Record<string, string>,
): (violation: Violation) => OAuthError {
  return (violation) => new OAuthError({ status, error, ...violation, headers: headers?.(violation) });
}

/** Shortens a value a client sent before it is quoted back in an error description. */
export function quote(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return `'${text.length > max ? `${text.slice(0, max)}…` : text}'`;
}

/** For the signing side: a key or option that breaks the FAPI rules is a programming error, not a request error. */
export const rejectMisuse: Reject = (violation) => new TypeError(composeDescription(violation));
