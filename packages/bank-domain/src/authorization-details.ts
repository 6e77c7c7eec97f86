// Rich Authorization Requests (RFC 9396): the authorization details types this bank understands, as one
// schema each, read by bank-op at PAR (§5: anything else is invalid_authorization_details) and by bank-api
// in the token's authorization_details claim (§7). The consent is the detail itself: no intent is created
// at the API first.
//   payment_initiation   the shape of RFC 9396 §2's own example: instructedAmount, creditorName,
//                        creditorAccount, remittanceInformationUnstructured. The bank adds debtorAccount,
//                        the account the customer chose to pay from, to what it grants (§7).
//   account_information  actions on accounts (RFC 9396 §2.2 common field); the bank adds the accounts the
//                        customer chose to share (§7).
import { z } from 'zod';
import { toMinorUnits } from './money.js';
import type { Permission } from './permissions.js';
import type { AccountIdentification, Consent, DomesticPaymentInitiation } from './types.js';

export const PAYMENT_INITIATION = 'payment_initiation';
export const ACCOUNT_INFORMATION = 'account_information';
export const AUTHORIZATION_DETAILS_TYPES = [PAYMENT_INITIATION, ACCOUNT_INFORMATION] as const;

/** UK OB permission codes each account_information action stands for (what bank-api's endpoints need). */
export const PERMISSIONS_BY_ACTION = {
  list_accounts: ['ReadAccountsDetail'],
  read_balances: ['ReadBalances'],
  read_transactions: ['ReadTransactionsDetail', 'ReadTransactionsCredits', 'ReadTransactionsDebits'],
} as const satisfies Record<string, readonly Permission[]>;

export type AccountAction = keyof typeof PERMISSIONS_BY_ACTION;

const ukAccount = z
  .object({
    schemeName: z.literal('UK.OBIE.SortCodeAccountNumber'),
    identification: z.string().regex(/^\d{14}$/, 'a 6-digit sort code followed by an 8-digit account number'),
  })
  .strict();
const ibanAccount = z
  .object({ iban: z.string().regex(/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/, 'an IBAN in capitals, no spaces') })
  .strict();
// RFC 9396 §2.2: the resource servers the detail is for; this bank has one.
const locations = z.array(z.string().url()).min(1).optional();

const requestedPayment = z
  .object({
    type: z.literal(PAYMENT_INITIATION),
    locations,
    actions: z.array(z.enum(['initiate', 'status'])).optional(),
    instructedAmount: z
      .object({
        // Every account at this bank is held in GBP: a payment from it is in GBP too.
        currency: z.literal('GBP', { error: 'this bank holds GBP accounts only: currency must be "GBP"' }),
        amount: z
          .string()
          .regex(/^\d{1,13}(\.\d{1,2})?$/, 'a decimal string such as "12.50"')
          .refine((amount) => Number(amount) > 0, 'greater than zero'),
      })
      .strict(),
    creditorName: z.string().min(1).max(70),
    creditorAccount: z.union([ukAccount, ibanAccount], {
      error: '{"schemeName":"UK.OBIE.SortCodeAccountNumber","identification":"<14 digits>"} or {"iban":"…"}',
    }),
    remittanceInformationUnstructured: z.string().min(1).max(140).optional(),
  })
  .strict();

const requestedAccounts = z
  .object({
    type: z.literal(ACCOUNT_INFORMATION),
    locations,
    actions: z
      .array(z.enum(Object.keys(PERMISSIONS_BY_ACTION) as [AccountAction, ...AccountAction[]]))
      .min(1),
  })
  .strict();

/** One detail as a client may request it (RFC 9396 §2). */
export const requestedDetailSchema = z.discriminatedUnion('type', [requestedPayment, requestedAccounts]);

/** One detail as the bank granted it: the request plus what the customer chose (RFC 9396 §7). */
export const grantedDetailSchema = z.discriminatedUnion('type', [
  requestedPayment.extend({ debtorAccount: ukAccount }),
  requestedAccounts.extend({ accounts: z.array(z.string().min(1)).min(1) }),
]);

export type RequestedDetail = z.infer<typeof requestedDetailSchema>;
export type RequestedPayment = z.infer<typeof requestedPayment>;
export type GrantedDetail = z.infer<typeof grantedDetailSchema>;
export type GrantedPayment = Extract<GrantedDetail, { type: typeof PAYMENT_INITIATION }>;
export type GrantedAccountInformation = Extract<GrantedDetail, { type: typeof ACCOUNT_INFORMATION }>;

/** A token's authorization_details claim (RFC 9396 §7) as this bank grants details, or what is wrong with it. */
export function grantedDetailsOf(claim: unknown): { details: GrantedDetail[] } | { problem: string } {
  const parsed = z.array(grantedDetailSchema).safeParse(claim);
  return parsed.success ? { details: parsed.data } : { problem: firstIssue(parsed.error) };
}

/** The first problem zod found, as `path: message` for an error_description. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/** The payee's account as the bank's ledger identifies accounts (an IBAN under UK OB's IBAN scheme). */
export function creditorAccountOf(detail: RequestedPayment): AccountIdentification {
  const account = detail.creditorAccount;
  return 'iban' in account
    ? { schemeName: 'UK.OBIE.IBAN', identification: account.iban, name: detail.creditorName }
    : { ...account, name: detail.creditorName };
}

/** What the customer is asked to confirm, in the bank's own terms (consent page, dynamic linking). */
export function paymentOf(
  detail: RequestedPayment,
): Pick<DomesticPaymentInitiation, 'instructedAmount' | 'creditorAccount' | 'remittanceInformation'> {
  const { currency, amount } = detail.instructedAmount;
  return {
    instructedAmount: { currency, amountMinor: toMinorUnits(amount, currency) },
    creditorAccount: creditorAccountOf(detail),
    ...(detail.remittanceInformationUnstructured
      ? { remittanceInformation: { unstructured: detail.remittanceInformationUnstructured } }
      : {}),
  };
}

/**
 * RFC 9396 §7: the resource server accepts a payment only as granted. Each field of the payment that
 * differs from the granted detail, by its UK OB path (empty when it matches exactly).
 */
export function paymentDifferences(granted: GrantedPayment, initiation: DomesticPaymentInitiation): string[] {
  const expected = paymentOf(granted);
  const differs: string[] = [];
  if (initiation.instructedAmount.amountMinor !== expected.instructedAmount.amountMinor) {
    differs.push('Initiation.InstructedAmount.Amount');
  }
  if (initiation.instructedAmount.currency !== expected.instructedAmount.currency) {
    differs.push('Initiation.InstructedAmount.Currency');
  }
  const creditor = initiation.creditorAccount;
  if (
    creditor.schemeName !== expected.creditorAccount.schemeName ||
    creditor.identification !== expected.creditorAccount.identification
  ) {
    differs.push('Initiation.CreditorAccount.Identification');
  }
  if (creditor.name !== expected.creditorAccount.name) differs.push('Initiation.CreditorAccount.Name');
  if (initiation.remittanceInformation?.unstructured !== expected.remittanceInformation?.unstructured) {
    differs.push('Initiation.RemittanceInformation.Unstructured');
  }
  if (
    initiation.debtorAccount &&
    (initiation.debtorAccount.schemeName !== granted.debtorAccount.schemeName ||
      initiation.debtorAccount.identification !== granted.debtorAccount.identification)
  ) {
    differs.push('Initiation.DebtorAccount');
  }
  return differs;
}

/**
 * A detail read as one of the bank's consents, so the consent page, the passcode and bank-api's checks
 * treat it as they treat an intent: a payment's initiation (no identifications: the TPP picks those when
 * it pays), or account access with the actions' permissions and, once granted, the accounts shared.
 */
export function consentOfDetail(
  detail: RequestedDetail | GrantedDetail,
  record: Pick<Consent, 'consentId' | 'clientId' | 'status' | 'creationDateTime' | 'statusUpdateDateTime'> &
    Partial<Pick<Consent, 'customerId'>>,
): Consent {
  if (detail.type === PAYMENT_INITIATION) {
    return {
      ...record,
      kind: 'domestic-payment',
      initiation: { instructionIdentification: '', endToEndIdentification: '', ...paymentOf(detail) },
    };
  }
  return {
    ...record,
    kind: 'account-access',
    permissions: permissionsOf(detail),
    ...('accounts' in detail ? { accountIds: detail.accounts } : {}),
  };
}

/** The UK OB permissions the granted actions stand for. */
export function permissionsOf(detail: { actions: readonly AccountAction[] }): Permission[] {
  return [...new Set(detail.actions.flatMap((action) => PERMISSIONS_BY_ACTION[action]))];
}
