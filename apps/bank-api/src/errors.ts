// Open Banking error responses (UK OB R/W API v3.1 OBErrorResponse1: Code, Id, Message, Errors[]) whose
// messages carry the clause and the fix, plus the OAuth `error`/`error_description` pair every party of
// the sandbox answers with. Domain errors become 400s with the UK.OBIE code that names them; token and
// consent refusals keep their RFC 6750 / RFC 9449 status, code and WWW-Authenticate challenge.
import { randomUUID } from 'node:crypto';
import {
  type BankDomainError,
  InvalidConsentRequest,
  isBankDomainError,
  PaymentMismatch,
} from '@fapi-sandbox/bank-domain';
import {
  clauseOf,
  composeDescription,
  isExpectedRefusal,
  isOAuthError,
  oauthSafeText,
  toErrorResponse,
} from '@fapi-sandbox/fapi-core/errors';
import { type Logger, logFailure, logRefusal } from '@fapi-sandbox/fapi-core/log';
import type { NextFunction, Request, Response } from 'express';

export interface ObErrorEntry {
  ErrorCode: string;
  Message: string;
  Path?: string;
}

export interface ObErrorBody {
  Code: string;
  Id: string;
  Message: string;
  Errors: ObErrorEntry[];
  error: string;
  error_description: string;
}

/** A request the API refuses with a UK.OBIE error code (e.g. a field that fails the OpenAPI schema). */
export class ObRequestError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly description: string,
    readonly clause: string | undefined,
    readonly fix: string,
    readonly path?: string,
  ) {
    super(composeDescription({ description, clause, fix }));
    this.name = 'ObRequestError';
  }
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
};

interface Mapped {
  status: number;
  errorCode: string;
  oauthError: string;
  message: string;
  path?: string;
  headers?: Record<string, string>;
}

const IDEMPOTENCY = 'UK OB R/W API v3.1 Idempotency';

/** Each domain error: its status, UK.OBIE code, clause and fix. */
function mapDomainError(err: BankDomainError): Mapped {
  const as = (errorCode: string, clause: string, fix: string, path?: string): Mapped => ({
    status: 400,
    errorCode,
    oauthError: 'invalid_request',
    message: composeDescription({ description: err.message, clause, fix }),
    ...(path ? { path } : {}),
  });
  switch (err.code) {
    case 'ConsentNotFound':
      return as(
        'UK.OBIE.Resource.NotFound',
        'UK OB R/W API v3.1 (unknown resource id: 400)',
        'use a ConsentId this client created',
      );
    case 'PaymentNotFound':
      return as(
        'UK.OBIE.Resource.NotFound',
        'UK OB R/W API v3.1 (unknown resource id: 400)',
        'use a DomesticPaymentId this client created',
      );
    case 'AccountNotFound':
      return as(
        'UK.OBIE.Resource.NotFound',
        'UK OB R/W API v3.1 (unknown resource id: 400)',
        'use an AccountId from GET /accounts',
      );
    case 'ConsentStateError':
    case 'ConsentExpired':
      return as(
        'UK.OBIE.Resource.InvalidConsentStatus',
        'UK OB v3.1 consent lifecycle',
        'use a consent in the status the operation needs (see GET on the consent)',
      );
    case 'InvalidPermissions':
      return as(
        'UK.OBIE.Field.Invalid',
        'UK OB v3.1 Account and Transaction API, Permissions',
        'send valid permission codes; transaction reads need Basic/Detail and Credits/Debits',
        'Data.Permissions',
      );
    case 'InvalidConsentRequest':
      return as(
        'UK.OBIE.Field.Invalid',
        'UK OB v3.1 consent request',
        'correct the field named in the message',
        err instanceof InvalidConsentRequest && err.field ? `Data.${err.field}` : undefined,
      );
    case 'AccountNotOwned':
      return as(
        'UK.OBIE.Field.Invalid',
        'UK OB v3.1 consent authorisation',
        "choose one of the customer's own accounts",
      );
    case 'InvalidAmount':
      return as(
        'UK.OBIE.Field.Invalid',
        'UK OB v3.1 OBActiveOrHistoricCurrencyAndAmount',
        "send Amount as a decimal string with at most the currency's decimals, e.g. 10.00",
        'Data.Initiation.InstructedAmount.Amount',
      );
    case 'InsufficientFunds':
      return as(
        'UK.OBIE.Field.Invalid',
        'UK OB v3.1 Payment Initiation API (funds check)',
        'ask the customer to pay a smaller amount or use GET funds-confirmation first',
        'Data.Initiation.InstructedAmount',
      );
    case 'PaymentMismatch':
      return as(
        'UK.OBIE.Resource.ConsentMismatch',
        'UK OB v3.1 Payment Initiation API: Initiation and Risk must match the consent',
        "send the consent's Initiation and Risk exactly as they were consented",
        err instanceof PaymentMismatch && err.section === 'Risk' ? 'Risk' : 'Data.Initiation',
      );
    case 'PaymentToSameAccount':
      return as(
        'UK.OBIE.Field.Invalid',
        'UK OB v3.1 Payment Initiation API (a payment moves money to another account)',
        'send a CreditorAccount other than the account the payment is made from',
        'Data.Initiation.CreditorAccount',
      );
    case 'IdempotencyConflict':
      return as(
        'UK.OBIE.Header.Invalid',
        IDEMPOTENCY,
        'use a new x-idempotency-key for a new request, or resend the original body unchanged',
        'x-idempotency-key',
      );
    case 'InvalidIdempotencyKey':
      return as(
        'UK.OBIE.Header.Invalid',
        IDEMPOTENCY,
        'send a key of 1 to 40 printable characters without spaces, e.g. a UUID',
        'x-idempotency-key',
      );
    case 'InvalidQuery':
      return as(
        'UK.OBIE.Field.Invalid',
        'UK OB v3.1 Account and Transaction API, Filtering and Pagination',
        'send ISO 8601 date-times and page numbers from 1',
      );
  }
}

function mapError(err: unknown): Mapped {
  if (err instanceof ObRequestError) {
    return {
      status: err.status,
      errorCode: err.errorCode,
      oauthError: 'invalid_request',
      message: err.message,
      ...(err.path ? { path: err.path } : {}),
    };
  }
  if (isBankDomainError(err)) return mapDomainError(err);
  if (isOAuthError(err)) {
    return {
      status: err.status,
      // Token and consent refusals keep their RFC 6750 / RFC 9449 code; header problems are UK.OBIE ones.
      errorCode: err.status === 400 && err.error === 'invalid_request' ? 'UK.OBIE.Header.Invalid' : err.error,
      oauthError: err.error,
      message: err.errorDescription,
      headers: err.headers,
    };
  }
  const fallback = toErrorResponse(err);
  return {
    status: fallback.status,
    errorCode: fallback.status >= 500 ? 'UK.OBIE.UnexpectedError' : 'UK.OBIE.Resource.InvalidFormat',
    oauthError: fallback.body.error,
    message: fallback.body.error_description,
    headers: fallback.headers,
  };
}

export function obErrorBody(status: number, entry: ObErrorEntry, oauthError: string): ObErrorBody {
  return {
    Code: `${status} ${REASONS[status] ?? 'Error'}`,
    Id: randomUUID(),
    Message: entry.Message,
    Errors: [entry],
    error: oauthError,
    // RFC 6749 §5.2: error_description is printable ASCII without '"' and '\'; Message keeps the clause signs.
    error_description: oauthSafeText(entry.Message),
  };
}

/** Express error handler for the Open Banking routes; mounted before fapi-core's catch-all. */
export function obErrorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const mapped = mapError(err);
    if (!isExpectedRefusal(err, mapped.status)) logFailure(log, req, res, err);
    else
      logRefusal(log, req, res, {
        status: mapped.status,
        error: mapped.errorCode,
        error_description: mapped.message,
        clause: clauseOf(err),
      });
    const entry: ObErrorEntry = {
      ErrorCode: mapped.errorCode,
      Message: mapped.message,
      ...(mapped.path ? { Path: mapped.path } : {}),
    };
    res
      .status(mapped.status)
      .set({ 'Cache-Control': 'no-store', ...mapped.headers })
      .json(obErrorBody(mapped.status, entry, mapped.oauthError));
  };
}
