// The one-time passcode the bank "sends to the customer's phone" (the possession factor of strong customer
// authentication, PSD2 RTS Art. 4). It is derived from a server secret and the interaction, so it is
// only valid for that sign-in; for a payment it is also derived from the amount and the payee and the
// message names them, so the code authenticates exactly that payment (dynamic linking, RTS Art. 5(1)).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Consent } from '@fapi-sandbox/bank-domain';
import { formatMinorUnits } from '@fapi-sandbox/bank-domain';

/** What the customer is told the code is for, and what the code is linked to. */
export interface PaymentToConfirm {
  consentId: string;
  /** e.g. "GBP 12.34" */
  amount: string;
  /** The payee's name, or their account when the consent names none. */
  payee: string;
  /** The payee's account (scheme and identification), part of the link though not shown in the message. */
  payeeAccount: string;
}

export function paymentToConfirm(consent: Consent): PaymentToConfirm | undefined {
  const initiation = consent.initiation;
  if (consent.kind !== 'domestic-payment' || !initiation) return undefined;
  const { amountMinor, currency } = initiation.instructedAmount;
  const { name, schemeName, identification } = initiation.creditorAccount;
  return {
    consentId: consent.consentId,
    amount: `${currency} ${formatMinorUnits(amountMinor, currency)}`,
    payee: name ?? identification,
    payeeAccount: `${schemeName}:${identification}`,
  };
}

export interface Passcodes {
  /** The six digits for this interaction, and for this payment when there is one. */
  codeFor(interactionUid: string, payment?: PaymentToConfirm): string;
  /** Whether `entered` is that code (constant-time). */
  matches(entered: string, interactionUid: string, payment?: PaymentToConfirm): boolean;
}

export function createPasscodes(secret: Buffer): Passcodes {
  const codeFor = (interactionUid: string, payment?: PaymentToConfirm): string => {
    // JSON keeps the parts apart: no amount/payee pair can be spelled to collide with another.
    const linked = JSON.stringify(
      payment
        ? [interactionUid, payment.consentId, payment.amount, payment.payee, payment.payeeAccount]
        : [interactionUid],
    );
    const mac = createHmac('sha256', secret).update(`otp:${linked}`).digest();
    return String(mac.readUInt32BE(0) % 1_000_000).padStart(6, '0');
  };
  return {
    codeFor,
    matches(entered, interactionUid, payment) {
      const expected = Buffer.from(codeFor(interactionUid, payment));
      const given = Buffer.from(entered);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
