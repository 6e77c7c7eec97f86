// The consent of a rich authorization request (RFC 9396): no intent at bank-api, the customer authorises
// the authorization_details of the pushed request itself. The bank shows them as it shows a consent, and
// what the customer chose (the account to pay from, the accounts to share) is added to the details it
// grants (RFC 9396 §7), which the code, then the access token, carry.
import {
  type BankStore,
  type Consent,
  consentOfDetail,
  type GrantedDetail,
  PAYMENT_INITIATION,
  paymentOf,
  type RequestedDetail,
  refusePaymentToSameAccount,
} from '@fapi-sandbox/bank-domain';
import { AccountNotOwned, InvalidConsentRequest } from '@fapi-sandbox/bank-domain/errors';
import { requestedDetailOf } from '../provider/rich-authorization.js';
import type { Details } from './context.js';

/** The detail the authorization request carries, when it is a rich authorization request. */
export function authorizationDetailOf(details: Details): RequestedDetail | undefined {
  return requestedDetailOf(details.params as Record<string, unknown>);
}

/** What the consent page and the payment's passcode read, as if it were a consent (it is never stored). */
export function consentViewOf(detail: RequestedDetail, clientId: string, uid: string): Consent {
  const now = new Date().toISOString();
  return consentOfDetail(detail, {
    // No consent id exists: the pushed request is the consent. The interaction names this one.
    consentId: `authorization-details-${uid}`,
    clientId,
    status: 'AwaitingAuthorisation',
    creationDateTime: now,
    statusUpdateDateTime: now,
  });
}

/**
 * The detail as granted: the request plus the customer's choice, which must be the customer's own
 * accounts (one to pay from, never the payee's; at least one to share). Throws a BankDomainError the
 * consent page shows.
 */
export async function grantedDetailFor(
  bank: BankStore,
  detail: RequestedDetail,
  choice: { customerId: string; accountIds: string[] },
): Promise<GrantedDetail> {
  const owned = await bank.accounts.listForCustomer(choice.customerId);
  const chosen = choice.accountIds.map((id) => {
    const account = owned.find((a) => a.accountId === id);
    if (!account) throw new AccountNotOwned(id, choice.customerId);
    return account;
  });
  if (detail.type === PAYMENT_INITIATION) {
    const debtor = chosen[0]?.account[0];
    if (chosen.length !== 1 || !debtor) {
      throw new InvalidConsentRequest('Choose the one account to pay from.', 'accounts');
    }
    const debtorAccount = {
      schemeName: 'UK.OBIE.SortCodeAccountNumber' as const,
      identification: debtor.identification,
    };
    refusePaymentToSameAccount(debtorAccount, paymentOf(detail).creditorAccount);
    return { ...detail, debtorAccount };
  }
  if (chosen.length === 0) throw new InvalidConsentRequest('Choose at least one account.', 'accounts');
  return { ...detail, accounts: chosen.map((a) => a.accountId) };
}
