// Reading the registered JWT claims (RFC 7519 §4.1) that the FAPI verifiers check, and the clock they are
// checked against. A missing or mistyped claim is refused with the claim's name and clause.
import type { JWTPayload } from 'jose';
import { quote, type Reject } from './reject.js';

/** Milliseconds since the epoch; tests pass a fixed clock. */
export type Now = () => number;

export function epochSeconds(now: Now = Date.now): number {
  return Math.floor(now() / 1000);
}

/**
 * FAPI 2.0 SP §5.3.2.1-13 lets a server accept `iat`/`nbf` up to 60 s in the future and no more; tolerances
 * configured above that are a configuration error, caught at start-up rather than per request.
 */
export function checkedTolerance(seconds: number | undefined, fallback: number, name: string): number {
  const value = seconds ?? fallback;
  if (!Number.isFinite(value) || value < 0 || value > 60) {
    throw new RangeError(`${name} must be between 0 and 60 seconds (FAPI 2.0 SP §5.3.2.1-13), got ${value}`);
  }
  return value;
}

export interface ClaimReader {
  /** A required non-empty string claim. */
  string(name: string, clause: string, fix: string): string;
  /** A required NumericDate claim. */
  numericDate(name: string, clause: string, fix: string): number;
  /** A NumericDate claim that may be absent. */
  optionalNumericDate(name: string): number | undefined;
}

/** Reads claims of one JWT (`what`, e.g. "client assertion"), throwing through `reject` with the claim's name. */
export function claimReader(claims: JWTPayload, what: string, reject: Reject): ClaimReader {
  const numericDate = (name: string, value: unknown): number => {
    // RFC 7519 §2 (NumericDate): seconds since 1970-01-01T00:00:00Z as a JSON number.
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw reject({
        description: `${what} has a '${name}' claim ${quote(value)} that is not a NumericDate`,
        clause: 'RFC 7519 §2',
        fix: `set '${name}' to seconds since the epoch, e.g. Math.floor(Date.now() / 1000)`,
      });
    }
    return value;
  };
  return {
    string(name, clause, fix) {
      const value = claims[name];
      if (typeof value !== 'string' || value === '') {
        throw reject({
          description:
            value === undefined
              ? `${what} has no '${name}' claim`
              : `${what} has a '${name}' claim ${quote(value)} that is not a non-empty string`,
          clause,
          fix,
        });
      }
      return value;
    },
    numericDate(name, clause, fix) {
      if (claims[name] === undefined)
        throw reject({ description: `${what} has no '${name}' claim`, clause, fix });
      return numericDate(name, claims[name]);
    },
    optionalNumericDate(name) {
      return claims[name] === undefined ? undefined : numericDate(name, claims[name]);
    },
  };
}

/** The `aud` claim as a list (RFC 7519 §4.1.3: a string or an array of strings). */
export function audienceValues(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud)) return aud.filter((value): value is string => typeof value === 'string');
  return [];
}

/** A duration in words for messages: "70 min", "45 s". */
export function duration(seconds: number): string {
  const abs = Math.abs(Math.round(seconds));
  return abs >= 120 ? `${Math.round(abs / 60)} min` : `${abs} s`;
}
