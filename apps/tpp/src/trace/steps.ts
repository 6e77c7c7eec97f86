// Every step the TPP takes, with what it proves and the clause that asks for it: the sentences the
// flow inspector shows beside each message.
import type { Phase } from '../shared/timeline.js';

export interface StepDescription {
  title: string;
  explanation: string;
  clause: string;
  /** The title of the TPP's own checks of this step, when the step is also a message (no two alike). */
  checksTitle?: string;
  /** A phase of its own wherever it happens (the registration checks before a connection are onboarding). */
  phase?: Phase;
}

export const STEPS = {
  ssa: {
    title: 'Fetch the software statement (SSA)',
    explanation:
      'Moneywise asks the directory for its signed software statement over mutual TLS. Only the holder of the ' +
      'transport certificate the directory issued for this software gets it, so the SSA is proof the ecosystem vouches for Moneywise.',
    clause: 'RFC 7591 §2.3, UK OB DCR v3.3 §3.1',
    phase: 'onboarding',
  },
  'ssa-verify': {
    title: 'Check the SSA signature',
    explanation:
      'The SSA is verified against the directory’s published keys before it is sent anywhere: a forged or expired statement would be refused by the bank anyway, and Moneywise finds out first.',
    clause: 'RFC 7591 §2.3, RFC 7515 §5.2',
    phase: 'onboarding',
  },
  'directory-jwks': {
    title: 'Fetch the directory’s signing keys',
    explanation:
      'The keys the directory signs software statements with, from its published JWKS: what the SSA signature is checked against.',
    clause: 'RFC 7591 §2.3, RFC 7517 §5',
    phase: 'onboarding',
  },
  participants: {
    title: 'Find the bank in the directory',
    explanation:
      'The directory lists the authorisation servers of the ecosystem. Moneywise takes the bank’s issuer from this trusted list rather than from anything a browser could supply.',
    clause: 'FAPI 2.0 SP §5.3.3.1 (issuer from a trusted source), RFC 8414 §3',
    checksTitle: 'Check the bank is listed and active',
    phase: 'onboarding',
  },
  discovery: {
    title: 'Read the bank’s OpenID configuration',
    explanation:
      'The discovery document names the bank’s endpoints and their mTLS aliases. Its issuer must equal the issuer the directory listed, which stops a mix-up with another server.',
    clause: 'OIDC Discovery §4.3, RFC 8414 §3.3, RFC 8705 §5',
    checksTitle: 'Check the bank’s OpenID configuration',
    phase: 'onboarding',
  },
  'op-jwks': {
    title: 'Fetch the bank’s signing keys',
    explanation:
      'The keys the bank signs ID tokens and JARM responses with, from the jwks_uri its discovery document names.',
    clause: 'OIDC Discovery §3 (jwks_uri), RFC 7517 §5',
    phase: 'onboarding',
  },
  dcr: {
    title: 'DCR: register client (RFC 7591)',
    explanation:
      'Moneywise sends its client metadata and the directory-signed SSA over mutual TLS. The bank checks the SSA and that the certificate belongs to the same software, then issues a client_id.',
    clause: 'RFC 7591 §3.1, FAPI 2.0 SP §5.3.3.1, RFC 8705 §2',
    phase: 'onboarding',
  },
  'dcr-read': {
    title: 'DCR: read registration (RFC 7592)',
    explanation:
      'Before reusing a stored client_id, Moneywise reads its registration with the registration access token. A 401 means the bank forgot the client, and Moneywise registers again.',
    clause: 'RFC 7592 §2.1',
    phase: 'onboarding',
  },
  'dcr-version': {
    title: 'Check the stored registration is current',
    explanation:
      'A client’s profile, token binding and signing choices are fixed when it registers. A stored registration made with other metadata than Moneywise asks for now (for example before it named the FAPI profile) would hold it to the wrong rules, so it is registered again.',
    clause: 'RFC 7591 §2, RFC 7592 §2',
    phase: 'onboarding',
  },
  'token-client-credentials': {
    title: 'Client-credentials token',
    explanation:
      'Moneywise authenticates itself and gets a token that lets it create a consent at the bank API. No customer is involved yet; the token is bound to Moneywise’s key or certificate.',
    clause: 'RFC 6749 §4.4, UK OB Read/Write API §4.2 (client credentials for consents)',
  },
  'consent-create': {
    title: 'Create the account-access consent',
    explanation:
      'The consent lists the permissions Moneywise asks for. It starts AwaitingAuthorisation; only the customer can authorise it at the bank.',
    clause: 'UK OB Account and Transaction API v3.1 §Account Access Consents',
  },
  'payment-consent': {
    title: 'Create the domestic-payment consent',
    explanation:
      'The consent fixes the payee, amount and reference before the customer sees them, so what the customer approves is exactly what will be paid. The idempotency key makes a retry safe.',
    clause: 'UK OB Payment Initiation API v3.1 §Domestic Payment Consents',
  },
  par: {
    title: 'Push the authorization request (PAR)',
    explanation:
      'The authorization parameters go to the bank over the authenticated back channel, so nothing in the browser can read or change them. The bank answers with a one-time request_uri. Signed into a request object (JAR, FAPI 1.0 Advanced), they are also evidence: Moneywise cannot deny the request it pushed (Message Signing NR1).',
    clause: 'RFC 9126 §2, FAPI 2.0 SP §5.3.3.2, FAPI 2.0 Message Signing §5.3',
  },
  'par-details': {
    title: 'Push the payment itself as authorization_details (RAR)',
    explanation:
      'No consent was created at the bank API first: the payment (amount, currency, payee, reference) travels in the pushed request as an authorization_details entry of type payment_initiation. The bank checks it against its own types before answering (invalid_authorization_details otherwise), and its consent page shows exactly these details. Compare a UK intent, where Moneywise creates the consent at the API and the request only names its id.',
    clause: 'RFC 9396 §2, §5, RFC 9126 §2',
  },
  'par-account-details': {
    title: 'Push the account access itself as authorization_details (RAR)',
    explanation:
      'No account-access consent was created at the bank API first: the access travels in the pushed request as an authorization_details entry of type account_information, its actions (list_accounts, read_balances, read_transactions) saying what Moneywise may do, with scope openid accounts. The bank checks it before answering; its consent page shows the actions and lets the customer choose the accounts. Compare a UK intent, where Moneywise creates the consent (its permissions) at the API and the request only names its id.',
    clause: 'RFC 9396 §2, §2.2, §3.1, RFC 9126 §2',
  },
  'par-encrypted': {
    title: 'Push the authorization request (PAR), encrypted (JWE)',
    explanation:
      'Moneywise signs the request object, then encrypts it to the bank’s published key (use enc): the JWE protected header below names the bank’s key and algorithms, the rest only the bank can read. Signing gives integrity and origin; encryption adds confidentiality, so the request stays unreadable to the browser, its extensions, proxies and logs wherever it travels. The bank’s trace shows what it decrypted.',
    clause: 'RFC 9101 §6.1, OIDC Core §10.2, RFC 7516',
  },
  'authorize-redirect': {
    title: 'Send the customer to the bank',
    explanation:
      'The browser carries only client_id and the request_uri to the bank’s authorization endpoint; the customer logs in and approves the consent there, never at Moneywise.',
    clause: 'RFC 9126 §4, FAPI 2.0 SP §5.3.3.2',
  },
  callback: {
    title: 'Customer returns to Moneywise',
    explanation:
      'The bank redirects the browser back to the registered redirect_uri with the authorization code (or a signed JARM response). Moneywise checks it belongs to a request it made from this browser.',
    clause: 'RFC 6749 §4.1.2, RFC 9207 §2',
  },
  'response-checks': {
    title: 'Check the authorization response',
    explanation:
      'State ties the response to this browser and this request; the issuer (iss, or the JARM signature and iss) proves which bank answered, stopping mix-up and injection attacks. A JARM response is signed by the bank: it cannot deny the answer it gave (Message Signing NR3).',
    clause: 'RFC 9207 §2.4, RFC 6749 §10.12, JARM §4.4, FAPI 2.0 Message Signing §5.4',
  },
  'response-checks-encrypted': {
    title: 'Decrypt, then check the authorization response (JWE)',
    explanation:
      'The bank signed its JARM response, then encrypted it to Moneywise’s published key (use enc): the JWE protected header below is all the browser carried. The signature already stopped anyone changing the response; encryption adds confidentiality, so the code and state were unreadable to the browser, its history and extensions, and to the logs of anything in between. Moneywise checks it names the algorithms it registered, decrypts it with its private key, then verifies the signed JWT inside (issuer, audience, expiry, state) as for any JARM response; the decrypted claims are below, the code shortened.',
    clause: 'JARM §2.2, JARM §4.4, RFC 7516',
  },
  'token-code': {
    title: 'Exchange the code for tokens',
    explanation:
      'The code is only useful with the PKCE verifier and Moneywise’s client authentication; the bank binds the new tokens to Moneywise’s DPoP key or transport certificate.',
    clause: 'RFC 6749 §4.1.3, RFC 7636 §4.5, FAPI 2.0 SP §5.3.3.1',
  },
  'id-token': {
    title: 'Verify the ID token',
    explanation:
      'The ID token is checked for the bank’s signature, issuer, audience, nonce and the consent id it echoes, so Moneywise knows the customer authorised this consent at this bank.',
    clause: 'OIDC Core §3.1.3.7, UK OB Security Profile (openbanking_intent_id)',
  },
  'id-token-encrypted': {
    title: 'Decrypt, then verify the ID token (JWE)',
    explanation:
      'The bank signed the ID token, then encrypted it to Moneywise’s published key (use enc): the JWE protected header below is all anyone else sees. Signing proves the bank issued it; encryption adds confidentiality, so the customer’s identity and consent in its claims stay readable by Moneywise alone, even where the response passes through the browser. Moneywise decrypts it with its private key, then checks the signature, issuer, audience, nonce and consent id as usual; the decrypted claims are below.',
    clause: 'OIDC Core §10.2, OIDC Core §3.1.3.7, RFC 7516',
  },
  accounts: {
    title: 'Read accounts',
    explanation:
      'A resource call with the bound access token: the API checks the token, its binding (DPoP proof or certificate), the consent and the FAPI headers before answering. ' +
      'A JWT access token tells the API its claims offline, from the bank’s signature alone; an opaque one tells it nothing until it asks the bank (introspection: one more round trip on every call, and a revoked token is refused at once).',
    clause: 'FAPI 2.0 SP §5.3.4, RFC 9449 §7 / RFC 8705 §3',
  },
  balances: {
    title: 'Read balances',
    explanation:
      'The same checks again: every call proves possession of the key or certificate the token is bound to.',
    clause: 'FAPI 2.0 SP §5.3.4',
  },
  transactions: {
    title: 'Read transactions',
    explanation:
      'The consent’s permissions decide what the API returns; ReadTransactionsDetail was part of it.',
    clause: 'UK OB Account and Transaction API v3.1 §Permissions',
  },
  refresh: {
    title: 'Refresh the access token',
    explanation:
      'The access token expired; Moneywise uses the refresh token with its client authentication (and the same DPoP key or certificate) for a new one, without the customer.',
    clause: 'RFC 6749 §6, RFC 9449 §5.0 (refresh bound to the DPoP key)',
  },
  'granted-details': {
    title: 'Check the granted authorization_details',
    explanation:
      'The token response names what the customer granted: the details Moneywise pushed, unchanged, plus what the bank added (the account the customer chose to pay from). The access token carries the same claim, so the bank API needs no consent record to know what it may pay.',
    clause: 'RFC 9396 §7',
  },
  'granted-account-details': {
    title: 'Check the granted account access (authorization_details)',
    explanation:
      'The token response names what the customer granted: the actions Moneywise pushed, unchanged, plus the accounts the customer chose (added by the bank). Moneywise keeps them on the connection; the access token carries the same claim, so the bank API answers only those actions on those accounts, and a refreshed token keeps them.',
    clause: 'RFC 9396 §7',
  },
  'payment-granted': {
    title: 'Submit the payment the details granted',
    explanation:
      'The payment names no ConsentId: the token’s authorization_details are the consent. The bank API pays it only if amount, currency, payee account and name repeat the granted details exactly, and once per grant; the idempotency key makes a retry safe.',
    clause: 'RFC 9396 §7, UK OB Payment Initiation API v3.1 §Domestic Payments',
  },
  'payment-authorised': {
    title: 'Submit the payment',
    explanation:
      'With the token the customer’s approval produced, Moneywise submits exactly what the consent fixed. The idempotency key means a retry cannot pay twice.',
    clause: 'UK OB Payment Initiation API v3.1 §Domestic Payments, x-idempotency-key',
  },
  'message-signatures': {
    title: 'Check the bank’s signed answer',
    explanation:
      'Moneywise signed its payment call with a key of its registered JWKS (Signature-Input names the covered components: method, URI, token, DPoP proof, a SHA-256 digest of the body; Signature holds the signature), so it cannot later deny having asked for this payment. The bank signed its answer with its own published key, covering the status, a digest of the body and Moneywise’s request signature: the bank cannot deny the answer, nor pass it off as the answer to another request. Non-repudiation: each side keeps the other’s signed message as evidence.',
    clause: 'FAPI 2.0 HTTP Signatures §5.3.1.1, §5.3.2.2, FAPI 2.0 Message Signing §5.2, RFC 9421 §2.4',
  },
  'bank-api-jwks': {
    title: 'Fetch the bank API’s signing keys',
    explanation:
      'The public keys the bank API signs its answers with, over the bank’s TLS: what its response signatures are checked against (keyid names one).',
    clause: 'FAPI 2.0 HTTP Signatures §5.3.2.2-1, RFC 7517 §5',
  },
  'payment-resubmit': {
    title: 'Send the payment again (same idempotency key)',
    explanation:
      'As a TPP whose submission timed out would, Moneywise sends the very same POST again with the same x-idempotency-key. The bank answers with the payment it already made instead of paying twice.',
    clause: 'UK OB Read/Write API v3.1 §Idempotency, x-idempotency-key',
  },
  'payment-status': {
    title: 'Read the payment status',
    explanation: 'Moneywise reads back the payment the bank created to show the customer its status.',
    clause: 'UK OB Payment Initiation API v3.1 §GET /domestic-payments/{id}',
  },
  revoke: {
    title: 'Revoke a token',
    explanation: 'Moneywise tells the bank to revoke the token; from now on the API refuses it.',
    clause: 'RFC 7009 §2',
  },
  'consent-delete': {
    title: 'Delete the consent',
    explanation: 'The account-access consent is revoked at the bank, so no token issued for it works again.',
    clause: 'UK OB Account and Transaction API v3.1 §DELETE /account-access-consents/{id}',
  },
  'api-after-disconnect': {
    title: 'Check the API refuses the old token',
    explanation:
      'After disconnecting, a call with the old access token must be refused: proof the revocation took effect.',
    clause: 'RFC 7009 §2.2, FAPI 2.0 SP §5.3.4',
  },
} satisfies Record<string, StepDescription>;

export type StepKind = keyof typeof STEPS;

/** One registration per way of connecting: the title names which, early enough to survive truncation. */
export function registrationStep(profileId: string, clientAuth: string): StepDescription {
  return { ...STEPS.dcr, title: `DCR: register ${profileId}, ${clientAuth} (RFC 7591)` };
}

/** RFC 7009 §2.1: the token_type_hint says which token is revoked; the title says it too. */
export function revocationStep(hint: 'access_token' | 'refresh_token' | string): StepDescription {
  return {
    ...STEPS.revoke,
    title: hint === 'refresh_token' ? 'Revoke the refresh token' : 'Revoke the access token',
  };
}

/** The phase a TPP step has wherever it happens, from the title it was recorded with. */
export function phaseOfStep(title: string | undefined): Phase | undefined {
  if (!title) return undefined;
  const step = title.startsWith(`${DPOP_NONCE_RETRY.title}: `)
    ? title.slice(DPOP_NONCE_RETRY.title.length + 2)
    : title;
  if (step.startsWith('DCR: ')) return 'onboarding';
  return Object.values(STEPS as Record<string, StepDescription>).find(
    (described) => described.title === step || described.checksTitle === step,
  )?.phase;
}

/** RFC 9449 §8 and §9: the nonce retry is a step of its own in the timeline. */
export const DPOP_NONCE_RETRY: StepDescription = {
  title: 'Retry with the server’s DPoP nonce',
  explanation:
    'The server asked for a nonce it issued (use_dpop_nonce). Moneywise signs a new proof containing it, which proves the proof was made just now.',
  clause: 'RFC 9449 §8 (AS), §9 (RS)',
};

/**
 * RFC 7662 §2, RFC 9701: added to every bank API call made with an opaque access token, what the API
 * learns from it, what each call costs and when a revocation takes effect (the contrast with a JWT).
 */
export const OPAQUE_ACCESS_TOKEN: StepDescription = {
  title: 'Opaque access token',
  explanation:
    'This access token is opaque: a random reference, so bank-api learns nothing from the token itself and everything from bank-op’s answer when it asks (token introspection over mutual TLS, the answer signed by bank-op). That costs one mTLS round trip to bank-op on every API call; in return a revoked token is refused at its very next call, where a JWT is valid on its signature until it expires unless the API checks a revocation record. The answer is a JWT bank-op signs: bank-op cannot deny what it told the API (Message Signing NR4).',
  clause: 'RFC 7662 §2, RFC 9701, FAPI 2.0 Message Signing §5.5',
};
