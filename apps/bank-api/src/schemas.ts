// Request bodies and query parameters as UK OB v3.1 defines them (the same shapes as the OpenAPI
// document in openapi/bank-api.openapi.json), validated at the edge; a failure names the field.
import { ACCOUNT_ACCESS_PERMISSIONS } from '@fapi-sandbox/bank-domain';
import { z } from 'zod';
import { ObRequestError } from './errors.js';

// UK OB ISODateTime in request bodies: an RFC 3339 date-time with Z or an offset.
const isoDateTime = z.iso.datetime({ offset: true });

// UK OB v3.1 Filtering: fromBookingDateTime/toBookingDateTime are a date with an optional time; the time
// defaults to 00:00:00 and a time zone, if sent, is ignored (the bank books in UTC).
export const BOOKING_DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?(?:Z|[+-]\d{2}:?\d{2})?$/;

const bookingDateTime = z
  .string()
  .regex(BOOKING_DATE_TIME, 'expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS')
  .transform((value, ctx) => {
    const [, date, time] = BOOKING_DATE_TIME.exec(value)!;
    const utc = `${date}T${time ?? '00:00:00'}${time && time.length === 5 ? ':00' : ''}Z`;
    if (Number.isNaN(Date.parse(utc))) {
      ctx.addIssue({ code: 'custom', message: `${value} is not a real date` });
      return z.NEVER;
    }
    return new Date(utc).toISOString();
  });
const text = (max: number) => z.string().min(1).max(max);

const accountIdentification = (nameRequired: boolean) =>
  z.strictObject({
    SchemeName: z.enum(['UK.OBIE.SortCodeAccountNumber', 'UK.OBIE.IBAN']),
    Identification: text(256),
    Name: nameRequired ? text(350) : text(350).optional(),
    SecondaryIdentification: text(34).optional(),
  });

/** UK OB OBWriteDomestic2DataInitiation (the subset this bank executes). */
export const initiationSchema = z.strictObject({
  InstructionIdentification: text(35),
  EndToEndIdentification: text(35),
  LocalInstrument: z.enum(['UK.OBIE.FPS', 'UK.OBIE.BalanceTransfer', 'UK.OBIE.Paym']).optional(),
  InstructedAmount: z.strictObject({
    Amount: z.string().regex(/^\d{1,13}$|^\d{1,13}\.\d{1,5}$/),
    Currency: z.string().regex(/^[A-Z]{3}$/),
  }),
  DebtorAccount: accountIdentification(false).optional(),
  CreditorAccount: accountIdentification(true),
  RemittanceInformation: z
    .strictObject({ Unstructured: text(140).optional(), Reference: text(35).optional() })
    .optional(),
});

/** UK OB OBRisk1. */
export const riskSchema = z.strictObject({
  PaymentContextCode: z
    .enum(['BillPayment', 'EcommerceGoods', 'EcommerceServices', 'Other', 'PartyToParty'])
    .optional(),
  MerchantCategoryCode: z.string().min(3).max(4).optional(),
  MerchantCustomerIdentification: text(70).optional(),
  DeliveryAddress: z
    .strictObject({
      AddressLine: z.array(text(70)).max(2).optional(),
      StreetName: text(70).optional(),
      BuildingNumber: text(16).optional(),
      PostCode: text(16).optional(),
      TownName: text(35),
      CountrySubDivision: text(35).optional(),
      Country: z.string().regex(/^[A-Z]{2}$/),
    })
    .optional(),
});

/** OBReadConsent1 */
export const accountAccessConsentRequest = z.strictObject({
  Data: z.strictObject({
    Permissions: z.array(z.enum(ACCOUNT_ACCESS_PERMISSIONS)).min(1),
    ExpirationDateTime: isoDateTime.optional(),
    TransactionFromDateTime: isoDateTime.optional(),
    TransactionToDateTime: isoDateTime.optional(),
  }),
  Risk: z.strictObject({}),
});

/** OBWriteDomesticConsent4 */
export const domesticPaymentConsentRequest = z.strictObject({
  Data: z.strictObject({ Initiation: initiationSchema }),
  Risk: riskSchema,
});

/** OBWriteDomestic2 */
export const domesticPaymentRequest = z.strictObject({
  Data: z.strictObject({ ConsentId: text(128), Initiation: initiationSchema }),
  Risk: riskSchema,
});

export const transactionsQuery = z.object({
  fromBookingDateTime: bookingDateTime.optional(),
  toBookingDateTime: bookingDateTime.optional(),
  page: z
    .string()
    .regex(/^[1-9]\d{0,5}$/)
    .transform(Number)
    .optional(),
});

/** Parses `value` or throws a 400 naming the first field that is wrong. */
export function parseRequest<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: 'body' | 'query',
): z.infer<T> {
  if (where === 'body' && (value === undefined || value === null || typeof value !== 'object')) {
    throw new ObRequestError(
      400,
      'UK.OBIE.Resource.InvalidFormat',
      'The request has no JSON body',
      'UK OB R/W API v3.1',
      "send the request as JSON with 'Content-Type: application/json'",
    );
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  const unexpected = issue.code === 'unrecognized_keys';
  const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
  const field = unexpected ? `${path ? `${path}.` : ''}${issue.keys.join(', ')}` : path || where;
  throw new ObRequestError(
    400,
    unexpected ? 'UK.OBIE.Field.Unexpected' : missing ? 'UK.OBIE.Field.Missing' : 'UK.OBIE.Field.Invalid',
    unexpected
      ? `Unexpected field ${field}`
      : missing
        ? `Missing field ${field}`
        : `Invalid ${field}: ${issue.message}`,
    'UK OB R/W API v3.1 (see GET /open-banking/v3.1/openapi.json)',
    unexpected
      ? 'remove the field; this bank does not support it'
      : `send ${field} as the OpenAPI document describes`,
    field,
  );
}
