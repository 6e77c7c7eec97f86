// Lifetimes of what the PKI issues, in one place so the generator and the freshness check agree.

const DAY_MS = 24 * 60 * 60 * 1000;

/** Root and issuing CAs: long-lived, so a root imported into a browser keeps working. */
export const CA_VALIDITY_DAYS = 3650;
/** Leaves: short enough that `pnpm pki:ensure` exercises renewal, long enough not to annoy. */
export const LEAF_VALIDITY_DAYS = 365;
/** `pnpm pki:ensure` renews anything that expires within this window. */
export const RENEW_WITHIN_DAYS = 30;
/** notBefore is set a little in the past so a peer whose clock runs slow still accepts a fresh cert. */
const BACKDATE_MS = 5 * 60 * 1000;
/** The expired fixture expired this long ago: clearly expired, not a clock-skew edge case. */
const EXPIRED_FIXTURE_AGE_DAYS = 30;

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

export function validityFor(now: Date, days: number): Validity {
  return { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: addDays(now, days) };
}

/** A full leaf lifetime that ended `EXPIRED_FIXTURE_AGE_DAYS` ago. */
export function expiredValidity(now: Date): Validity {
  const notAfter = addDays(now, -EXPIRED_FIXTURE_AGE_DAYS);
  return { notBefore: addDays(notAfter, -LEAF_VALIDITY_DAYS), notAfter };
}

/** True when `notAfter` falls inside the renewal window (or has passed). */
export function needsRenewal(notAfter: Date, now: Date): boolean {
  return notAfter.getTime() - now.getTime() < RENEW_WITHIN_DAYS * DAY_MS;
}
