// Rich Authorization Requests (RFC 9396) from the client's side: the authorization_details a TPP pushes
// instead of creating a UK OB intent at the bank API first, and its check that the bank granted what it
// asked (§7: the bank may add what the customer chose, never change what was asked).
import type { CheckResult } from '@fapi-sandbox/fapi-core/trace';

/** RFC 9396 §2's payment_initiation, as this sandbox's bank accepts it (GBP, a UK sort code and account). */
export interface PaymentInitiationDetail {
  type: 'payment_initiation';
  instructedAmount: { currency: string; amount: string };
  creditorName: string;
  creditorAccount: { schemeName: 'UK.OBIE.SortCodeAccountNumber'; identification: string } | { iban: string };
  remittanceInformationUnstructured?: string;
}

/** RFC 9396 §2.2 actions on the customer's accounts, as this sandbox's bank grants them. */
export const ACCOUNT_ACTIONS = ['list_accounts', 'read_balances', 'read_transactions'] as const;
export type AccountAction = (typeof ACCOUNT_ACTIONS)[number];

/** RFC 9396 §2.2 actions on the customer's accounts. */
export interface AccountInformationDetail {
  type: 'account_information';
  actions: AccountAction[];
  /** Added by the bank when the customer approves: the accounts they chose to share (RFC 9396 §7). */
  accounts?: string[];
}

export type AuthorizationDetail = PaymentInitiationDetail | AccountInformationDetail;

/** A payment of `amount` (a decimal string) GBP to a UK account (sort code + account number, 14 digits). */
export function paymentInitiationDetail(input: {
  amount: string;
  creditorName: string;
  sortCodeAccountNumber: string;
  reference?: string;
}): PaymentInitiationDetail {
  return {
    type: 'payment_initiation',
    instructedAmount: { currency: 'GBP', amount: input.amount },
    creditorName: input.creditorName,
    creditorAccount: {
      schemeName: 'UK.OBIE.SortCodeAccountNumber',
      identification: input.sortCodeAccountNumber,
    },
    ...(input.reference ? { remittanceInformationUnstructured: input.reference } : {}),
  };
}

/** Access to the accounts the customer will choose, for these actions (in the bank's order). */
export function accountInformationDetail(actions: readonly AccountAction[]): AccountInformationDetail {
  return { type: 'account_information', actions: ACCOUNT_ACTIONS.filter((a) => actions.includes(a)) };
}

/**
 * RFC 9396 §7: the token response's authorization_details hold each requested detail with every field as
 * asked; the bank may only add fields (the account the customer chose).
 */
export function checkGrantedDetails(
  requested: readonly AuthorizationDetail[],
  granted: unknown,
): CheckResult {
  const name = 'The bank granted the authorization_details Moneywise asked for';
  const clause = 'RFC 9396 §7';
  if (!Array.isArray(granted) || granted.length !== requested.length) {
    return {
      name,
      passed: false,
      clause,
      detail: `token response authorization_details: ${JSON.stringify(granted)}`,
    };
  }
  const changed = requested.flatMap((detail, i) =>
    Object.entries(detail)
      .filter(
        ([field, value]) =>
          JSON.stringify((granted[i] as Record<string, unknown>)?.[field]) !== JSON.stringify(value),
      )
      .map(([field]) => `${detail.type}.${field}`),
  );
  if (changed.length > 0)
    return { name, passed: false, clause, detail: `changed by the bank: ${changed.join(', ')}` };
  const added = granted.flatMap((detail, i) =>
    Object.keys(detail as object).filter((field) => !(field in requested[i]!)),
  );
  return {
    name,
    passed: true,
    clause,
    detail: `as asked${added.length ? `; the bank added ${added.join(', ')} (the customer's choice)` : ''}`,
  };
}
