// Attacks at the bank API: what sender-constrained tokens (DPoP, mTLS), the token's location, the
// consent and the payment's match with it, and idempotency stop.
import { randomUUID } from 'node:crypto';
import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { generateDpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import { createSandboxAgent, transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import type { Agent } from 'undici';
import type { AccessToken, FapiFlowClient } from '../flow-client.js';
import {
  type AttackContext,
  BASELINE,
  defineAttack,
  type FlowSteps,
  MTLS_BOUND,
  OPAQUE_TOKEN_IS_A_REFERENCE,
  sameRefusal,
  WITH_BASELINE,
} from './attack.js';
import { ATTACKER, onHttp, onJwt, replayFirst, withPayload } from './bends.js';
import { openAtBank } from './front-channel.js';

const CERTIFICATE_BOUND = 'the token is bound to the TLS client certificate; no DPoP proof is sent';
const DPOP_BOUND = 'the token is bound to a DPoP key, not to a certificate';
const BANK_API_BINDING = 'bank-api:Binding: token cnf matches the proof key or certificate';
const BANK_API_TRANSPORT = 'bank-api:Transport: DPoP proof or mutual-TLS client certificate';

const readAccounts = (client: FapiFlowClient, token: AccessToken) =>
  client.api(token, 'GET', '/aisp/accounts');

/** A TLS client made for the attack (no certificate, another participant's), closed when it ends. */
function attackAgent(ctx: AttackContext, make: (config: SandboxConfig) => Agent): Agent {
  const agent = make(ctx.config);
  ctx.onCleanup(() => agent.close());
  return agent;
}

/** An attack on the DPoP proof of a customer's API call (FAPI 2.0 + DPoP). */
function dpopProofAttack(attack: {
  id: string;
  title: string;
  threat: string;
  fix: string;
  clause: string;
  error?: string;
  rules?: readonly `bank-api:${string}`[];
  edit: (claims: Record<string, unknown>) => void;
}) {
  return defineAttack({
    id: attack.id,
    title: attack.title,
    message: 'api:accounts',
    refusals: {
      'fapi2-dpop': {
        party: 'bank-api',
        status: 401,
        error: attack.error ?? 'invalid_dpop_proof',
        clause: attack.clause,
      },
    },
    notApplicable: {
      'fapi2-mtls': CERTIFICATE_BOUND,
      'fapi1-advanced': CERTIFICATE_BOUND,
      'fapi1-baseline': BASELINE.bearer,
    },
    threat: attack.threat,
    fix: attack.fix,
    rules: attack.rules ?? [BANK_API_TRANSPORT],
    async run(ctx: AttackContext, steps: FlowSteps) {
      const token = await steps.token(ctx.client, ctx.customer);
      ctx.bend(onJwt('dpop_proof', (message) => attack.edit(message.claims), 'api'));
      return readAccounts(ctx.client, token);
    },
  });
}

export const dpopWrongHtu = dpopProofAttack({
  id: 'dpop-wrong-htu',
  title: 'The DPoP proof was made for another URL (htu)',
  clause: 'RFC 9449 §4.3',
  threat: 'a proof captured on one endpoint is replayed on another',
  fix: 'set htu to the request’s URL, without query and fragment',
  edit: (claims) => {
    claims.htu = `${ATTACKER}/open-banking/v3.1/aisp/accounts`;
  },
});

export const dpopWrongHtm = dpopProofAttack({
  id: 'dpop-wrong-htm',
  title: 'The DPoP proof was made for another method (htm)',
  clause: 'RFC 9449 §4.3',
  threat: 'a proof captured on a read is replayed on a write',
  fix: 'set htm to the request’s method',
  edit: (claims) => {
    claims.htm = 'POST';
  },
});

export const dpopWithoutAth = dpopProofAttack({
  id: 'dpop-without-ath',
  title: 'The DPoP proof does not name the access token (no ath)',
  clause: 'RFC 9449 §4.3',
  threat: 'a proof made for one token is presented with another',
  fix: 'put ath, the base64url SHA-256 of the access token, in every proof sent to the API',
  edit: (claims) => {
    delete claims.ath;
  },
});

export const dpopProofReplayed = defineAttack({
  id: 'dpop-proof-replayed',
  title: 'A DPoP proof is sent a second time (same jti)',
  message: 'api:accounts',
  refusals: {
    'fapi2-dpop': { party: 'bank-api', status: 401, error: 'invalid_dpop_proof', clause: 'RFC 9449 §11.1' },
  },
  notApplicable: {
    'fapi2-mtls': CERTIFICATE_BOUND,
    'fapi1-advanced': CERTIFICATE_BOUND,
    'fapi1-baseline': BASELINE.bearer,
  },
  threat: 'a request captured with its proof is replayed by whoever captured it',
  fix: 'sign a new proof, with a new jti, for every request',
  rules: [BANK_API_TRANSPORT],
  async run(ctx, steps) {
    const token = await steps.token(ctx.client, ctx.customer);
    ctx.bend(
      replayFirst(
        'api',
        (message) => message.headers.dpop,
        (message, proof) => {
          message.headers.dpop = proof;
        },
      ),
    );
    await readAccounts(ctx.client, token);
    return readAccounts(ctx.client, token);
  },
});

export const dpopOtherKey = defineAttack({
  id: 'dpop-other-key',
  title: 'The DPoP proof is signed by another key than the token’s',
  message: 'api:accounts',
  refusals: {
    'fapi2-dpop': { party: 'bank-api', status: 401, error: 'invalid_token', clause: 'RFC 9449 §6.1' },
  },
  notApplicable: {
    'fapi2-mtls': CERTIFICATE_BOUND,
    'fapi1-advanced': CERTIFICATE_BOUND,
    'fapi1-baseline': BASELINE.bearer,
  },
  threat: 'a stolen DPoP-bound token is used with the thief’s own key',
  fix: 'sign every proof with the key whose thumbprint is the token’s cnf.jkt',
  rules: [BANK_API_BINDING],
  async run(ctx, steps) {
    const token = await steps.token(ctx.client, ctx.customer);
    const thief = await generateDpopKey('ES256');
    ctx.bend(
      onJwt(
        'dpop_proof',
        (message) => {
          message.header.jwk = thief.publicJwk;
          message.key = { key: thief.privateKey, alg: thief.alg };
        },
        'api',
      ),
    );
    return readAccounts(ctx.client, token);
  },
});

export const tokenWithoutBinding = defineAttack({
  id: 'token-without-binding',
  title: 'The access token is sent without its DPoP proof or its certificate',
  message: 'api:accounts',
  refusals: {
    'fapi2-dpop': { party: 'bank-api', status: 401, error: 'invalid_dpop_proof', clause: 'RFC 9449 §7.1' },
    ...sameRefusal(MTLS_BOUND, {
      party: 'bank-api',
      status: 401,
      error: 'invalid_token',
      clause: 'RFC 8705 §3',
    }),
  },
  succeedsUnder: {
    'fapi1-baseline': {
      stoppedBy: 'fapi1-advanced',
      why: 'a Baseline token is a bearer token (FAPI 1.0 Part 1 §6.2.1-2): it works without any certificate or key. That is what Advanced adds: tokens bound to the client certificate (FAPI 1.0 Adv §5.2.2-5)',
    },
  },
  threat: 'a token copied from a log is used as a bearer token by whoever copied it',
  fix: 'send a DPoP proof signed with the bound key, or call over mTLS with the bound certificate',
  rules: [BANK_API_TRANSPORT, 'bank-op:sender-constrained-tokens'],
  async run(ctx, steps) {
    const token = await steps.token(ctx.client, ctx.customer);
    const plain = attackAgent(ctx, (config) => createSandboxAgent({}, config));
    ctx.bend(
      onHttp('api', (message) => {
        if (message.headers.dpop) delete message.headers.dpop;
        else message.dispatcher = plain;
      }),
    );
    return readAccounts(ctx.client, token);
  },
});

export const tokenWithAnotherCertificate = defineAttack({
  id: 'token-other-certificate',
  title: 'The access token is presented with another participant’s certificate',
  message: 'api:accounts',
  refusals: sameRefusal(MTLS_BOUND, {
    party: 'bank-api',
    status: 401,
    error: 'invalid_token',
    clause: 'RFC 8705 §3',
  }),
  notApplicable: { 'fapi2-dpop': DPOP_BOUND },
  succeedsUnder: {
    'fapi1-baseline': {
      stoppedBy: 'fapi1-advanced',
      why: 'a Baseline token is a bearer token (FAPI 1.0 Part 1 §6.2.1-2): another TPP uses it with its own certificate. That is what Advanced adds: the token names the certificate it is bound to (FAPI 1.0 Adv §5.2.2-5)',
    },
  },
  threat: 'another TPP that obtained the token uses it with its own valid certificate',
  fix: 'call with the certificate whose thumbprint is the token’s cnf x5t#S256',
  rules: [BANK_API_BINDING, 'bank-op:token-bound-to-own-certificate'],
  async run(ctx, steps) {
    const token = await steps.token(ctx.client, ctx.customer);
    const second: Participant = ctx.config.participants.second;
    const theirs = attackAgent(ctx, (config) => transportAgentFor(second, config));
    ctx.bend(
      onHttp('api', (message) => {
        message.dispatcher = theirs;
      }),
    );
    return readAccounts(ctx.client, token);
  },
});

export const tokenInQuery = defineAttack({
  id: 'token-in-query',
  title: 'The access token is sent in the query string',
  message: 'api:accounts',
  refusals: sameRefusal(WITH_BASELINE, {
    party: 'bank-api',
    status: 400,
    error: 'invalid_request',
    clause: 'RFC 6750 §2.3',
  }),
  threat: 'the token is written to server logs, proxies and browser history, and replayed from there',
  fix: 'send the token in the Authorization header only',
  rules: ['bank-api:FAPI headers and token location'],
  async run(ctx, steps) {
    const token = await steps.token(ctx.client, ctx.customer);
    ctx.bend(
      onHttp('api', (message) => {
        delete message.headers.authorization;
        message.url = `${message.url}?access_token=${encodeURIComponent(token.value)}`;
      }),
    );
    return readAccounts(ctx.client, token);
  },
});

const JWT_REVOCATION =
  'A JWT access token is valid on its signature alone until its exp: a resource server that only checks the signature accepts a revoked one for up to its 10 minutes. This bank-api also reads the revocation record bank-op writes to the bank’s shared store (its Revocation check, RFC 7009 §2), which is why it refuses at the next call; an API without such a record would not.';

export const accessTokenRevoked = defineAttack({
  id: 'access-token-revoked',
  title: 'An access token revoked at the bank is used again (revoke, then call again)',
  message: 'api:accounts',
  refusals: {
    ...sameRefusal(WITH_BASELINE, {
      party: 'bank-api',
      status: 401,
      error: 'invalid_token',
      clause: 'RFC 7009 §2',
    }),
    // The API cannot read an opaque token; bank-op answers its introspection with active: false.
    'fapi2-dpop-opaque': { party: 'bank-api', status: 401, error: 'invalid_token', clause: 'RFC 7662 §2.2' },
  },
  howStopped: {
    ...Object.fromEntries(WITH_BASELINE.map((profile) => [profile, JWT_REVOCATION])),
    'fapi2-dpop-opaque':
      'The opaque token is only a reference: bank-api asks bank-op about it on every call (RFC 7662 §2.1), and bank-op answers active: false from the moment it is revoked (RFC 7009 §2, RFC 7662 §2.2). The revocation bites at the very next call, with no shared store, at the price of one mTLS round trip to bank-op per call.',
  },
  threat: 'a disconnected TPP keeps reading the accounts until its token expires',
  fix: 'the connection has ended: ask the customer to authorise a new consent',
  rules: [
    'bank-api:Revocation: neither the token nor its grant is revoked',
    'bank-api:Token: signed by bank-op, for this API, in date',
    'bank-op:revocation-reaches-bank-api',
  ],
  async run(ctx, steps) {
    const token = await steps.token(ctx.client, ctx.customer);
    await ctx.client.revoke(token.value, 'access_token');
    ctx.attackNow('access token: revoked at the bank (RFC 7009)');
    return readAccounts(ctx.client, token);
  },
});

export const accessTokenClaimsEdited = defineAttack({
  id: 'access-token-claims-edited',
  title: 'The access token’s claims are edited (a day added to exp), its signature kept',
  message: 'api:accounts',
  refusals: sameRefusal(WITH_BASELINE, {
    party: 'bank-api',
    status: 401,
    error: 'invalid_token',
    clause: 'RFC 7515 §5.2',
  }),
  notApplicable: { 'fapi2-dpop-opaque': OPAQUE_TOKEN_IS_A_REFERENCE },
  threat:
    'whoever holds a JWT access token widens it (a longer life, more scope) and the API believes the claims',
  fix: 'send the access token exactly as bank-op’s token endpoint returned it; ask for a new one when it expires',
  rules: ['bank-api:Token: signed by bank-op, for this API, in date'],
  async run(ctx, steps) {
    const token = await steps.token(ctx.client, ctx.customer);
    const edited = withPayload(token.value, (claims) => {
      if (typeof claims.exp === 'number') claims.exp += 24 * 60 * 60;
    });
    // The client signs its DPoP proof (ath) over the edited token, so only the token's signature is wrong.
    ctx.attackNow('access token: exp a day later, the signature bank-op made kept');
    return readAccounts(ctx.client, { ...token, value: edited });
  },
});

export const otherTppConsent = defineAttack({
  id: 'other-tpp-consent',
  title: 'The authorization request names another TPP’s consent',
  message: 'authorization-request',
  refusals: sameRefusal(WITH_BASELINE, {
    party: 'bank-op',
    status: 303,
    error: 'invalid_request',
    clause: 'OB Read/Write API v3.1',
  }),
  threat: 'a TPP obtains access the customer granted to another TPP',
  fix: 'name a consent (openbanking_intent_id) this client created',
  rules: ['bank-op:intent-required'],
  async run(ctx, steps) {
    const other = await ctx.connectAnother('second');
    const theirs = await steps.consent(other);
    // PAR takes the request; the bank checks the consent before the customer is asked.
    const pending = await ctx.client.pushAuthorizationRequest(theirs);
    ctx.attackNow(`openbanking_intent_id: ${theirs}, created by ${other.clientId}`);
    return openAtBank(ctx, ctx.client.authorizationUrl(pending));
  },
});

export const idempotencyKeyReused = defineAttack({
  id: 'idempotency-key-reused',
  title: 'An idempotency key is reused with another body',
  message: 'api:account-access-consents',
  refusals: sameRefusal(WITH_BASELINE, {
    party: 'bank-api',
    status: 400,
    error: 'invalid_request',
    clause: 'UK OB R/W API v3.1 Idempotency',
  }),
  threat: 'a retried request silently becomes a different one, or a replay returns another request’s result',
  fix: 'use a new x-idempotency-key for a new request, or resend the original body unchanged',
  // Enforced by the API's idempotency store (apps/bank-api/src/idempotency.ts), not a pipeline check.
  rules: [],
  async run(ctx) {
    const token = await ctx.client.clientCredentialsToken('accounts');
    ctx.bend(
      replayFirst(
        'api',
        (message) => message.headers['x-idempotency-key'],
        (message, key) => {
          message.headers['x-idempotency-key'] = key;
        },
      ),
    );
    await ctx.client.createAccountAccessConsent(token, ['ReadAccountsDetail']);
    return ctx.client.createAccountAccessConsent(token, ['ReadAccountsDetail', 'ReadBalances']);
  },
});

/** UK OB OBWriteDomestic2 Initiation: the parts an attack changes. */
interface PaymentInitiation {
  InstructedAmount: { Amount: string; Currency: string };
  CreditorAccount: { SchemeName: string; Identification: string; Name: string };
}

/** A domestic payment the customer consented to, ready to be submitted with `token`. */
async function consentedPayment(ctx: AttackContext) {
  const { client } = ctx;
  const initiation = {
    InstructionIdentification: `ATTACK-${randomUUID().slice(0, 8)}`,
    EndToEndIdentification: 'E2E-ATTACK-LAB',
    InstructedAmount: { Amount: '12.50', Currency: 'GBP' },
    CreditorAccount: {
      SchemeName: 'UK.OBIE.SortCodeAccountNumber',
      Identification: '08080021325698',
      Name: 'ACME Plumbing Ltd',
    },
    RemittanceInformation: { Reference: 'INV-2291', Unstructured: 'Boiler service' },
  };
  const risk = { PaymentContextCode: 'BillPayment' };
  const created = await client.api(
    await client.clientCredentialsToken('payments'),
    'POST',
    '/pisp/domestic-payment-consents',
    {
      Data: { Initiation: initiation },
      Risk: risk,
    },
  );
  const consentId = created.body?.Data?.ConsentId;
  if (created.status !== 201 || typeof consentId !== 'string') {
    throw new Error(`payment consent refused: ${created.status} ${JSON.stringify(created.body)}`);
  }
  const pending = await client.pushAuthorizationRequest(consentId, 'openid payments');
  const code = await client.authorizationCode(
    await client.customerAuthorizes(pending, ctx.customer),
    pending,
  );
  const token = await client.exchangeCode(pending, code);
  return { token, body: { Data: { ConsentId: consentId, Initiation: initiation }, Risk: risk } };
}

function paymentAttack(attack: {
  id: string;
  title: string;
  threat: string;
  edit: (initiation: PaymentInitiation) => void;
}) {
  return defineAttack({
    id: attack.id,
    title: attack.title,
    message: 'payment',
    refusals: sameRefusal(WITH_BASELINE, {
      party: 'bank-api',
      status: 400,
      error: 'invalid_request',
      clause: 'UK OB v3.1 Payment Initiation API',
    }),
    threat: attack.threat,
    fix: 'submit the payment with the consent’s Initiation and Risk exactly as the customer confirmed them',
    // The customer confirmed this amount and payee with a passcode linked to them; the API holds the payment to it.
    rules: ['bank-op:payment-sca-dynamic-linking'],
    async run(ctx: AttackContext) {
      const { token, body } = await consentedPayment(ctx);
      ctx.bend(
        onHttp('api', (message) => {
          const json = message.json as { Data?: { Initiation?: PaymentInitiation } } | undefined;
          if (!json?.Data?.Initiation) return false;
          attack.edit(json.Data.Initiation);
        }),
      );
      return ctx.client.api(token, 'POST', '/pisp/domestic-payments', body);
    },
  });
}

export const paymentAmountChanged = paymentAttack({
  id: 'payment-amount-changed',
  title: 'The payment’s amount is changed after the customer consented',
  threat: 'the customer confirms £12.50 and pays £2,500',
  edit: (initiation) => {
    initiation.InstructedAmount.Amount = '2500.00';
  },
});

export const paymentPayeeChanged = paymentAttack({
  id: 'payment-payee-changed',
  title: 'The payment’s payee is changed after the customer consented',
  threat: 'a payment is redirected to the attacker’s account',
  edit: (initiation) => {
    initiation.CreditorAccount.Identification = '40400411223344';
    initiation.CreditorAccount.Name = 'Attacker Ltd';
  },
});
