// Rich Authorization Requests (RFC 9396) at bank-op: a FAPI 2.0 client pushes authorization_details
// instead of naming an intent created at bank-api; the bank validates them against its types at PAR (§5),
// shows them on the consent page, adds the customer's choice to what it grants (§7), puts the granted
// details on the access token (§7) and in introspection (§9), and refuses a token request that names
// other details (§6.1).
import { decodeJwt } from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOAuthError } from './support/expect-error.js';
import { introspectAsBankApi } from './support/introspect-as-bank-api.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { type JsonResponse, type RegisteredClient, TestTpp } from './support/tpp.js';

let sandbox: Sandbox;
let tpp: TestTpp;
let client: RegisteredClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
  client = await tpp.register();
});
afterAll(async () => {
  await sandbox?.close();
});

const PAYMENT = {
  type: 'payment_initiation',
  instructedAmount: { currency: 'GBP', amount: '12.50' },
  creditorName: 'Corner Bakery',
  creditorAccount: { schemeName: 'UK.OBIE.SortCodeAccountNumber', identification: '20000055779911' },
  remittanceInformationUnstructured: 'Birthday cake',
};
const ACCOUNTS = { type: 'account_information', actions: ['list_accounts', 'read_balances'] };

function params(details: unknown, scope = 'openid payments', as = client, pkce = tpp.pkce()) {
  return {
    pkce,
    params: {
      ...tpp.authorizationParams(as, undefined, pkce, scope),
      authorization_details: JSON.stringify(details),
    } as Record<string, string>,
  };
}

async function push(details: unknown, scope?: string): Promise<JsonResponse> {
  return tpp.par(client, params(details, scope).params);
}

/** PAR, Alice signs in and allows (first account), the code is redeemed with `tokenParams` added. */
async function authorized(
  detail: unknown,
  scope: string,
  tokenParams: Record<string, string> = {},
  as = client,
) {
  const { params: pushed, pkce } = params([detail], scope, as);
  const par = await tpp.par(as, pushed);
  expect(par.status, JSON.stringify(par.body)).toBe(201);
  const landing = await tpp.customerAuthorizes(tpp.authorizationUrl(as, String(par.body.request_uri)));
  const code = landing.searchParams.get('code');
  expect(code, landing.href).toBeTruthy();
  return tpp.token(as, {
    grant_type: 'authorization_code',
    code: code!,
    redirect_uri: pushed.redirect_uri!,
    code_verifier: pkce.codeVerifier,
    ...tokenParams,
  });
}

describe('discovery', () => {
  it('lists the authorization details types the bank understands (RFC 9396 §10)', async () => {
    const response = await fetch(`${tpp.issuer}/.well-known/openid-configuration`, {
      dispatcher: sandbox.plain,
    });
    const metadata = (await response.json()) as Record<string, unknown>;
    expect(metadata.authorization_details_types_supported).toEqual([
      'payment_initiation',
      'account_information',
    ]);
  });
});

describe('PAR refuses details the bank does not support (RFC 9396 §5)', () => {
  it('refuses a type the bank does not know, naming the clause and the supported types', async () => {
    const response = await push([{ type: 'tax_return', year: 2024 }]);
    expectOAuthError(response, {
      status: 400,
      error: 'invalid_authorization_details',
      mentions: /RFC 9396 section 5/,
    });
    expect(String(response.body.error_description)).toMatch(/payment_initiation, account_information/);
  });

  it('refuses an amount that is not a decimal string, naming the field', async () => {
    const response = await push([{ ...PAYMENT, instructedAmount: { currency: 'GBP', amount: '12,50' } }]);
    expectOAuthError(response, {
      status: 400,
      error: 'invalid_authorization_details',
      mentions: /instructedAmount\.amount/,
    });
  });

  it('refuses a currency the bank does not hold', async () => {
    const response = await push([{ ...PAYMENT, instructedAmount: { currency: 'EUR', amount: '12.50' } }]);
    expectOAuthError(response, {
      status: 400,
      error: 'invalid_authorization_details',
      mentions: /GBP accounts only/,
    });
  });

  it('refuses a payment with no creditor name', async () => {
    const { creditorName: _dropped, ...nameless } = PAYMENT;
    const response = await push([nameless]);
    expectOAuthError(response, {
      status: 400,
      error: 'invalid_authorization_details',
      mentions: /creditorName/,
    });
  });

  it('refuses a field the type does not define (a debtor account the customer has not chosen)', async () => {
    const response = await push([
      { ...PAYMENT, debtorAccount: { schemeName: 'UK.OBIE.SortCodeAccountNumber', identification: '1' } },
    ]);
    expectOAuthError(response, {
      status: 400,
      error: 'invalid_authorization_details',
      mentions: /debtorAccount/,
    });
  });

  it('refuses a payment detail under the accounts scope (RFC 9396 §3.1)', async () => {
    const response = await push([PAYMENT], 'openid accounts');
    expectOAuthError(response, {
      status: 400,
      error: 'invalid_authorization_details',
      mentions: /scope openid payments/,
    });
  });

  it('refuses details from a FAPI 1.0 Advanced client: the bank offers them to FAPI 2.0 clients', async () => {
    const fapi1 = await tpp.register({ profile: 'fapi1-advanced' });
    const pushed = {
      ...tpp.authorizationParams(fapi1, undefined, tpp.pkce(), 'openid payments'),
      response_mode: 'jwt',
      authorization_details: [PAYMENT],
    };
    const response = await tpp.par(fapi1, { request: await tpp.requestObject(fapi1, pushed) });
    expectOAuthError(response, {
      status: 400,
      error: 'invalid_authorization_details',
      mentions: /FAPI 2\.0 clients only/,
    });
  });

  it('refuses two details in one request: one authorization, one payment', async () => {
    const response = await push([PAYMENT, PAYMENT]);
    expectOAuthError(response, {
      status: 400,
      error: 'invalid_authorization_details',
      mentions: /one detail per pushed/,
    });
  });
});

describe('a payment authorised by its details', () => {
  it('the token carries the granted details, with the account the customer chose (RFC 9396 §7)', async () => {
    const tokens = await authorized(PAYMENT, 'openid payments');
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    const alice = await sandbox.bank.customers.authenticate('alice', 'wonderland');
    const [alicesFirst] = await sandbox.bank.accounts.listForCustomer(alice!.customerId);
    const granted = [
      {
        ...PAYMENT,
        debtorAccount: {
          schemeName: 'UK.OBIE.SortCodeAccountNumber',
          identification: alicesFirst!.account[0]!.identification,
        },
      },
    ];
    expect(tokens.body.authorization_details).toEqual(granted);
    const claims = decodeJwt(String(tokens.body.access_token));
    expect(claims.authorization_details).toEqual(granted);
    expect(claims.scope).toBe('payments');
    // No intent: nothing at bank-api was created or named.
    expect(claims.openbanking_intent_id).toBeUndefined();
    // A payment grant gets no refresh token: it is used once.
    expect(tokens.body.refresh_token).toBeUndefined();
  });

  it('introspection of an opaque token answers with the granted details too (RFC 9396 §9)', async () => {
    const opaque = await tpp.register({ extra: { access_token_format: 'opaque' } });
    const tokens = await authorized(PAYMENT, 'openid payments', {}, opaque);
    const response = await introspectAsBankApi(sandbox, String(tokens.body.access_token));
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.active).toBe(true);
    expect(body.authorization_details).toEqual(tokens.body.authorization_details);
  });

  it('refuses a token request whose details differ from those pushed (RFC 9396 §6.1)', async () => {
    const changed = { ...PAYMENT, instructedAmount: { currency: 'GBP', amount: '1250.00' } };
    const tokens = await authorized(PAYMENT, 'openid payments', {
      authorization_details: JSON.stringify([changed]),
    });
    expectOAuthError(tokens, {
      status: 400,
      error: 'invalid_authorization_details',
      mentions: /RFC 9396 section 6\.1/,
    });
  });

  it('accepts a token request that names exactly the pushed details', async () => {
    const tokens = await authorized(PAYMENT, 'openid payments', {
      authorization_details: JSON.stringify([PAYMENT]),
    });
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  });
});

describe('account access authorised by its details', () => {
  it('the token carries the actions and the accounts the customer shared', async () => {
    const tokens = await authorized(ACCOUNTS, 'openid accounts');
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    const [detail] = decodeJwt(String(tokens.body.access_token)).authorization_details as {
      actions: string[];
      accounts: string[];
    }[];
    expect(detail!.actions).toEqual(['list_accounts', 'read_balances']);
    expect(detail!.accounts).toHaveLength(1);
    // Account access lasts: its refresh token keeps the granted details (RFC 9396 §7).
    const refreshed = await tpp.token(client, {
      grant_type: 'refresh_token',
      refresh_token: String(tokens.body.refresh_token),
    });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    expect(decodeJwt(String(refreshed.body.access_token)).authorization_details).toEqual([detail]);
  });
});
