// Typed domain errors. The HTTP layers (bank-api, bank-op) map each `code` to a status and an
// Open Banking / OAuth error body; the domain itself knows nothing about HTTP.

export type BankDomainErrorCode =
  | 'ConsentNotFound'
  | 'ConsentStateError'
  | 'ConsentExpired'
  | 'InvalidConsentRequest'
  | 'InvalidPermissions'
  | 'AccountNotFound'
  | 'AccountNotOwned'
  | 'InvalidAmount'
  | 'InsufficientFunds'
  | 'PaymentMismatch'
  | 'PaymentToSameAccount'
  | 'PaymentNotFound'
  | 'IdempotencyConflict'
  | 'InvalidIdempotencyKey'
  | 'InvalidQuery';

export abstract class BankDomainError extends Error {
  abstract readonly code: BankDomainErrorCode;
}

export class ConsentNotFound extends BankDomainError {
  readonly code = 'ConsentNotFound';
  constructor(readonly consentId: string) {
    super(`Consent ${consentId} does not exist`);
    this.name = 'ConsentNotFound';
  }
}

/** The consent is not in a status that allows the operation (e.g. authorising a Rejected consent). */
export class ConsentStateError extends BankDomainError {
  readonly code = 'ConsentStateError';
  constructor(
    readonly consentId: string,
    readonly status: string,
    readonly expected: readonly string[],
    readonly operation: string,
  ) {
    super(`Consent ${consentId} is ${status}; ${operation} needs it ${expected.join(' or ')}`);
    this.name = 'ConsentStateError';
  }
}

export class ConsentExpired extends BankDomainError {
  readonly code = 'ConsentExpired';
  constructor(
    readonly consentId: string,
    readonly expirationDateTime: string,
  ) {
    super(`Consent ${consentId} expired at ${expirationDateTime}`);
    this.name = 'ConsentExpired';
  }
}

/** A consent request is malformed in a way the domain detects (dates, accounts, initiation fields). */
export class InvalidConsentRequest extends BankDomainError {
  readonly code = 'InvalidConsentRequest';
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'InvalidConsentRequest';
  }
}

export class InvalidPermissions extends BankDomainError {
  readonly code = 'InvalidPermissions';
  constructor(
    message: string,
    readonly permissions: readonly string[],
  ) {
    super(message);
    this.name = 'InvalidPermissions';
  }
}

export class AccountNotFound extends BankDomainError {
  readonly code = 'AccountNotFound';
  constructor(readonly accountId: string) {
    super(`Account ${accountId} does not exist`);
    this.name = 'AccountNotFound';
  }
}

/** A customer tried to grant access to an account that is not theirs. */
export class AccountNotOwned extends BankDomainError {
  readonly code = 'AccountNotOwned';
  constructor(
    readonly accountId: string,
    readonly customerId: string,
  ) {
    super(`Account ${accountId} does not belong to customer ${customerId}`);
    this.name = 'AccountNotOwned';
  }
}

export class InvalidAmount extends BankDomainError {
  readonly code = 'InvalidAmount';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAmount';
  }
}

export class InsufficientFunds extends BankDomainError {
  readonly code = 'InsufficientFunds';
  constructor(
    readonly accountId: string,
    readonly availableMinor: number,
    readonly requestedMinor: number,
  ) {
    super(
      `Account ${accountId} has ${availableMinor} minor units available; the payment needs ${requestedMinor}`,
    );
    this.name = 'InsufficientFunds';
  }
}

/** A payment's Initiation or Risk differs from the consent's (UK OB v3.1 Payment Initiation API: they must match). */
export class PaymentMismatch extends BankDomainError {
  readonly code = 'PaymentMismatch';
  constructor(
    readonly consentId: string,
    readonly section: 'Initiation' | 'Risk',
    readonly paths: readonly string[],
  ) {
    super(`The payment's ${section} differs from consent ${consentId}'s at ${paths.join(', ')}`);
    this.name = 'PaymentMismatch';
  }
}

/** The payment would go to the account it is paid from: a debit with nothing to credit. */
export class PaymentToSameAccount extends BankDomainError {
  readonly code = 'PaymentToSameAccount';
  constructor(readonly identification: string) {
    super(
      `The CreditorAccount ${identification} is the account the payment is made from; a payment must go to another account`,
    );
    this.name = 'PaymentToSameAccount';
  }
}

export class PaymentNotFound extends BankDomainError {
  readonly code = 'PaymentNotFound';
  constructor(readonly paymentId: string) {
    super(`Domestic payment ${paymentId} does not exist`);
    this.name = 'PaymentNotFound';
  }
}

/** The same idempotency key was used by the same client with a different request body. */
export class IdempotencyConflict extends BankDomainError {
  readonly code = 'IdempotencyConflict';
  constructor(
    readonly idempotencyKey: string,
    readonly operation: string,
  ) {
    super(
      `Idempotency key ${idempotencyKey} was already used for ${operation} with a different request body`,
    );
    this.name = 'IdempotencyConflict';
  }
}

export class InvalidIdempotencyKey extends BankDomainError {
  readonly code = 'InvalidIdempotencyKey';
  constructor(readonly idempotencyKey: string) {
    super('An idempotency key is 1 to 40 printable characters without whitespace');
    this.name = 'InvalidIdempotencyKey';
  }
}

/** A read query the domain cannot answer as asked (an unparseable date, a page below 1). */
export class InvalidQuery extends BankDomainError {
  readonly code = 'InvalidQuery';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'InvalidQuery';
  }
}

export function isBankDomainError(value: unknown): value is BankDomainError {
  return value instanceof BankDomainError;
}
