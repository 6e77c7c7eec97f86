// The JSON the TPP's back end answers its React app with. Types only (no runtime code), shared by both
// sides. Nothing here is a token, a key or a secret: those stay in the back end.

// The ways of connecting are the client engine's (type-only: nothing of it reaches the web bundle).
import type {
  AccountAction,
  AccountInformationDetail,
  ClientAuthMethod,
  ProfileId,
} from '@fapi-sandbox/fapi-client';

export type { AccountAction, AccountInformationDetail, ClientAuthMethod, ProfileId };

/** Every error the TPP answers, and every error it relays from another party. */
export interface ApiError {
  error: string;
  error_description: string;
  /** The party that refused, when the TPP relays another party's answer. */
  party?: string;
  /** The step that failed, e.g. "Pushed authorization request". */
  step?: string;
  /** The party's HTTP status (0: it could not be reached). */
  status?: number;
}

export type StepStatus = 'pending' | 'done' | 'failed' | 'skipped';

export interface OnboardingStepView {
  id: 'ssa' | 'ssa-verify' | 'participants' | 'discovery' | 'register';
  title: string;
  status: StepStatus;
  /** What happened, e.g. "software_id Mw3…, expires 13:02". */
  detail?: string;
  explanation: string;
  clause: string;
  error?: ApiError;
}

export interface RegistrationView {
  profile: ProfileId;
  clientAuth: ClientAuthMethod;
  clientId: string;
  registeredAt: string;
  /**
   * 'registered': new this run; 'reused': the bank still knew it; 'reregistered': the bank had forgotten
   * it, or it was registered with other metadata than Moneywise asks for now.
   */
  outcome?: 'registered' | 'reused' | 'reregistered';
}

export interface OnboardingView {
  status: 'not-started' | 'done' | 'failed';
  interactionId?: string;
  finishedAt?: string;
  software: { orgId: string; orgName: string; softwareId: string; clientName: string; roles: string[] };
  bank?: { name: string; issuer: string };
  steps: OnboardingStepView[];
  registrations: RegistrationView[];
}

export interface ProfileView {
  id: ProfileId;
  title: string;
  summary: string;
  senderConstraint: 'dpop' | 'mtls' | 'none';
  /** JARM: the bank answers the authorization request with a signed JWT (so it can also encrypt it). */
  jarm: boolean;
  rules: { rule: string; clause: string }[];
}

export interface ClientAuthView {
  id: ClientAuthMethod;
  title: string;
  summary: string;
  clause: string;
}

/**
 * 'ended': the bank no longer honours the connection's grant (the consent was withdrawn or expired, or
 * the grant revoked), so a refresh was refused; `error` says why, and reconnecting is the way on.
 */
export type ConnectionStatus = 'authorising' | 'active' | 'failed' | 'ended' | 'disconnected';

export interface ConnectionView {
  id: string;
  profile: ProfileId;
  profileTitle: string;
  clientAuth: ClientAuthMethod;
  /** RFC 9101 §6.1: the algorithm request objects are encrypted with, when the learner chose it. */
  requestObjectEncryption?: string;
  /** OIDC Core §10.2: the algorithm the bank encrypts ID tokens to Moneywise with, when the learner chose it. */
  idTokenEncryption?: string;
  /** JARM §2.2: the bank signs, then encrypts its JARM responses to Moneywise with this algorithm. */
  jarmEncryption?: string;
  clientId?: string;
  interactionId: string;
  status: ConnectionStatus;
  consentId?: string;
  /**
   * RFC 9396: account access by authorization_details instead of an intent (then no consentId): as
   * pushed while authorising, then as the bank granted them (§7), with the accounts the customer chose.
   */
  authorizationDetails?: AccountInformationDetail[];
  createdAt: string;
  updatedAt: string;
  error?: ApiError;
  /** When the current access token expires (no token itself). */
  accessTokenExpiresAt?: string;
  /** The accounts the customer shared, as Moneywise last read them (none before the first read). */
  sharedAccounts?: AccountView[];
  payments: PaymentView[];
}

export interface StartConnectionResponse {
  connection: ConnectionView;
  /** Where the browser goes next: the bank's authorization endpoint with client_id and request_uri. */
  authorizationUrl: string;
}

export interface AccountView {
  accountId: string;
  nickname?: string;
  currency: string;
  accountType?: string;
  accountSubType?: string;
  identification?: { schemeName: string; identification: string; name?: string }[];
}

export interface BalanceView {
  type: string;
  amount: string;
  currency: string;
  creditDebitIndicator: string;
  dateTime: string;
}

export interface TransactionView {
  transactionId: string;
  reference?: string;
  amount: string;
  currency: string;
  creditDebitIndicator: string;
  status: string;
  bookingDateTime: string;
  description?: string;
}

/** The customer chooses the account to pay from at the bank, when they authorise the consent. */
/**
 * How the customer's approval is asked for: a UK OB intent (a consent Moneywise creates at the bank API
 * first, named in the request) or a rich authorization request (RFC 9396: the payment itself in the
 * pushed request's authorization_details, FAPI 2.0 connections only).
 */
export type PaymentAuthorization = 'intent' | 'authorization-details';

export interface PaymentRequest {
  /** Intent when absent (payments made before the choice existed). */
  authorization?: PaymentAuthorization;
  payeeName: string;
  sortCode: string;
  accountNumber: string;
  /** Decimal string with two places, e.g. "12.50". */
  amount: string;
  reference: string;
}

export type PaymentStatus = 'authorising' | 'submitted' | 'failed';

export interface PaymentView {
  id: string;
  status: PaymentStatus;
  request: PaymentRequest;
  consentId?: string;
  domesticPaymentId?: string;
  /** The bank's status, e.g. AcceptedSettlementCompleted. */
  bankStatus?: string;
  error?: ApiError;
  createdAt: string;
  updatedAt: string;
}

/** What the bank answered when Moneywise sent a submitted payment again with the same idempotency key. */
export interface ResubmitPaymentResponse {
  payment: PaymentView;
  /** The DomesticPaymentId of the second answer. */
  domesticPaymentId: string;
  /** True when it is the payment the first POST made: nothing was paid twice. */
  samePayment: boolean;
  message: string;
}

export interface StartPaymentResponse {
  payment: PaymentView;
  authorizationUrl: string;
}

/** A decoupled connection (FAPI-CIBA) while it waits for the customer's answer on the bank app, and after. */
export interface DecoupledView {
  connectionId: string;
  status: ConnectionStatus;
  /** How the tokens come: Moneywise polls the bank, or the bank pings Moneywise first (CIBA §5). */
  mode: 'poll' | 'ping';
  /** The customer's username at the bank (CIBA §7.1 login_hint). */
  loginHint: string;
  /** Shown here and on the bank app: the customer checks they are the same (CIBA §7.1). */
  bindingMessage: string;
  /** The bank's app (the customer's phone in this sandbox), a page of the bank. */
  bankAppUrl: string;
  /** The seconds the bank asked Moneywise to wait between polls (CIBA §7.3). */
  intervalSeconds: number;
  /** When the bank forgets the request if the customer has not answered. */
  expiresAt: string;
  /** When the bank's ping arrived (ping mode). */
  pingedAt?: string;
  error?: ApiError;
}
