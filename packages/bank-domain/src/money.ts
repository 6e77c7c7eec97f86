// Money is integer minor units inside the bank (no floating point ever touches a balance) and a
// decimal string at the API edge, as UK OB's ActiveOrHistoricCurrencyAndAmount ("10.00").
import { InvalidAmount } from './errors.js';

/** Digits after the decimal point per ISO 4217 currency the bank holds. */
const MINOR_DIGITS: Record<string, number> = { GBP: 2, EUR: 2, USD: 2 };

// UK OB v3.1 OBActiveCurrencyAndAmount_SimpleType: ^\d{1,13}$|^\d{1,13}\.\d{1,5}$
const OB_AMOUNT = /^(\d{1,13})(?:\.(\d{1,5}))?$/;

export function minorDigits(currency: string): number {
  const digits = MINOR_DIGITS[currency];
  if (digits === undefined)
    throw new InvalidAmount(`Currency ${currency} is not held by this bank (GBP, EUR, USD)`);
  return digits;
}

/** "10.5" GBP → 1050. Rejects more precision than the currency has and amounts of zero. */
export function toMinorUnits(amount: string, currency: string): number {
  const digits = minorDigits(currency);
  const match = OB_AMOUNT.exec(amount);
  if (!match) throw new InvalidAmount(`Amount '${amount.slice(0, 32)}' is not a decimal like 10.00`);
  const whole = match[1]!;
  const fraction = (match[2] ?? '').replace(/0+$/, '');
  if (fraction.length > digits) {
    throw new InvalidAmount(`Amount ${amount} has more decimal places than ${currency} allows (${digits})`);
  }
  const minor = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  if (!Number.isSafeInteger(minor)) throw new InvalidAmount(`Amount ${amount} is too large`);
  if (minor <= 0) throw new InvalidAmount(`Amount ${amount} must be greater than zero`);
  return minor;
}

/** 1050 GBP → "10.50" (always non-negative; the sign travels as CreditDebitIndicator). */
export function formatMinorUnits(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  const abs = Math.abs(minor);
  const whole = Math.floor(abs / 10 ** digits);
  const fraction = String(abs % 10 ** digits).padStart(digits, '0');
  return digits === 0 ? String(whole) : `${whole}.${fraction}`;
}
