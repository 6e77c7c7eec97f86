// What each of the customer's steps at the bank proves, for the flow trace (http/trace.ts records it
// under the flow's x-fapi-interaction-id). Only outcomes are noted: never a password or a passcode.
import type { Consent, RequestedDetail } from '@fapi-sandbox/bank-domain';
import { noteCheck, noteStep } from '../http/trace.js';
import { SCA_ACR } from '../provider/intent.js';
import type { PaymentToConfirm } from './passcode.js';

const CONSENT_CLAUSE = 'OB Read/Write API v3.1 section Consent';

export function noteConsentChecked(res: unknown, consent: Consent): void {
  noteCheck(res, {
    name: 'Consent exists for this client and awaits authorisation',
    passed: true,
    clause: CONSENT_CLAUSE,
    detail: `${consent.kind} consent ${consent.consentId} of client ${consent.clientId} is ${consent.status}`,
  });
}

/** RFC 9396: what the customer is asked about comes from the pushed request, not from a consent at bank-api. */
export function noteDetailsRequested(res: unknown, detail: RequestedDetail): void {
  noteCheck(res, {
    name: 'The consent is the authorization_details of the pushed request (no intent at bank-api)',
    passed: true,
    clause: 'RFC 9396 §2, §5',
    detail: `${detail.type} detail, checked against its type at PAR: ${JSON.stringify(detail)}`,
  });
}

export function noteConsentRefused(res: unknown, reason: string): void {
  noteStep(res, {
    step: 'Consent refused',
    explanation:
      'The consent the request names cannot be authorised, so the bank refuses the authorization before the customer is asked; the error goes back to the client.',
    clause: CONSENT_CLAUSE,
  });
  noteCheck(res, {
    name: 'Consent exists for this client and awaits authorisation',
    passed: false,
    clause: CONSENT_CLAUSE,
    detail: reason,
  });
}

export function noteSignInPage(res: unknown, payment: PaymentToConfirm | undefined): void {
  const factors =
    "The bank's own page asks for the customer's password (knowledge) and a one-time passcode sent to their phone (possession): two independent factors.";
  noteStep(res, {
    step: 'Sign-in page',
    explanation: payment
      ? `${factors} The message names the payment, ${payment.amount} to ${payment.payee}, and the code is valid for that payment in this authorization only.`
      : factors,
    clause: payment ? 'PSD2 RTS Art. 4, Art. 5(1)' : 'PSD2 RTS Art. 4',
  });
  if (payment) {
    noteCheck(res, {
      name: 'Passcode linked to the amount and payee (dynamic linking)',
      passed: true,
      clause: 'PSD2 RTS Art. 5(1)',
      detail: `The code is derived from this interaction, ${payment.amount} and ${payment.payee} (${payment.payeeAccount})`,
    });
  }
}

export function noteFormToken(res: unknown, passed: boolean): void {
  noteCheck(res, {
    name: "Form submitted from the bank's page for this interaction (CSRF token)",
    passed,
    clause: 'RFC 6749 §10.12',
    detail: passed ? 'The form token matches this interaction' : 'The form token is missing or wrong',
  });
}

export function noteSignIn(
  res: unknown,
  outcome: { customerId: string } | 'refused' | 'cancelled',
  payment: PaymentToConfirm | undefined,
): void {
  if (outcome === 'cancelled') {
    noteStep(res, {
      step: 'Sign-in cancelled',
      explanation:
        'The customer cancelled: the consent is rejected and access_denied goes back to the client.',
      clause: 'RFC 6749 §4.1.2.1',
    });
    return;
  }
  noteStep(res, {
    step: 'Sign-in (password and passcode)',
    explanation:
      outcome === 'refused'
        ? 'The bank refused the sign-in and shows the page again; nothing goes back to the client.'
        : `The bank verified both factors and records the sign-in with acr ${SCA_ACR} (amr pwd, otp); the browser goes back to the authorization.`,
    clause: 'PSD2 RTS Art. 4',
  });
  noteCheck(res, {
    name: `Customer authenticated with two factors (acr ${SCA_ACR})`,
    passed: outcome !== 'refused',
    clause: 'PSD2 RTS Art. 4, OB Security Profile',
    detail:
      outcome === 'refused'
        ? 'The username, password or passcode is not right'
        : `Password and one-time passcode${payment ? ` for ${payment.amount} to ${payment.payee}` : ''} verified for customer ${outcome.customerId}`,
  });
}

export function noteConsentPage(res: unknown, consent: Consent): void {
  noteStep(res, {
    step: 'Consent page',
    explanation:
      consent.kind === 'domestic-payment'
        ? 'The customer sees who is asking (the TPP as the directory lists it), the payee and amount, and chooses the account to pay from.'
        : 'The customer sees who is asking (the TPP as the directory lists it), what it may read in plain words, and chooses the accounts to share.',
    clause: CONSENT_CLAUSE,
  });
}

export function noteDecision(
  res: unknown,
  consent: Consent,
  decision: { authorisedFor: string[]; customerId: string } | 'denied' | { invalid: string },
): void {
  noteStep(res, {
    step: 'Consent decision',
    explanation:
      decision === 'denied'
        ? 'The customer denied: the consent is rejected and access_denied goes back to the client.'
        : 'invalid' in decision
          ? 'The bank cannot record this decision and shows the consent page again.'
          : 'The customer authorised the consent: the bank records it with the chosen accounts, and the grant covers exactly what was asked.',
    clause: CONSENT_CLAUSE,
  });
  noteCheck(res, {
    name: 'Consent authorised by the customer',
    passed: decision !== 'denied' && !('invalid' in decision),
    clause: CONSENT_CLAUSE,
    detail:
      decision === 'denied'
        ? `The customer chose Deny: consent ${consent.consentId} is Rejected`
        : 'invalid' in decision
          ? decision.invalid
          : `Consent ${consent.consentId} authorised by ${decision.customerId} for accounts ${decision.authorisedFor.join(', ')}`,
  });
}
