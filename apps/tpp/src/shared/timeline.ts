// The flow inspector's view of a connection: one entry per message or check, from every party's trace,
// merged and ordered by time. Shared by the back end (which builds it) and the React app (which shows it);
// types only, so the browser bundle imports nothing from the server.

/** The lanes of the sequence diagram. */
export type Lane = 'browser' | 'tpp' | 'directory' | 'bank-op' | 'bank-api';

export const LANES: readonly Lane[] = ['browser', 'tpp', 'directory', 'bank-op', 'bank-api'];

export const LANE_TITLES: Record<Lane, string> = {
  browser: 'Browser',
  tpp: 'Moneywise (TPP)',
  directory: 'Directory',
  'bank-op': 'Bank OP',
  'bank-api': 'Bank API',
};

/**
 * The phases of a connection's life, in the order a learner meets them; the inspector lists messages
 * under a heading per phase. `attacks` is reserved for the attack lab's resent messages.
 */
export const PHASES = ['onboarding', 'connect', 'use', 'pay', 'refresh', 'disconnect', 'attacks'] as const;

export type Phase = (typeof PHASES)[number];

export const PHASE_TITLES: Record<Phase, string> = {
  onboarding: 'Onboarding: SSA, discovery and registration',
  connect: 'Connect: consent, authorization and tokens',
  use: 'Use: account reads',
  pay: 'Pay: payment consent, authorization and submission',
  refresh: 'Refresh: a new access token',
  disconnect: 'Disconnect: revoke and delete the consent',
  attacks: 'Attacks: messages resent with one thing wrong',
};

export function isPhase(value: unknown): value is Phase {
  return typeof value === 'string' && (PHASES as readonly string[]).includes(value);
}

export interface TimelineCheck {
  name: string;
  passed: boolean;
  clause: string;
  detail: string;
  /** The party that ran the check. */
  by: Lane;
}

export interface TimelineJwt {
  /** Where it was found, e.g. "DPoP proof", "access token (DPoP)", "token response.id_token". */
  where: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** True when the recording party verified the signature. */
  verified?: boolean;
  by: Lane;
}

/** The key or certificate presented beside the token's confirmation claim (RFC 8705 §3.1, RFC 9449 §6). */
export interface TimelineBinding {
  /** 'bearer': a FAPI 1.0 Baseline token, with no cnf: whoever holds it can use it (RFC 6750 §2.1). */
  kind: 'mtls' | 'dpop' | 'bearer';
  /** x5t#S256 of the TLS client certificate, or the JWK thumbprint of the DPoP proof's key. */
  presented?: string;
  /** The token's cnf claim. */
  cnf?: Record<string, unknown>;
  matches?: boolean;
}

export interface TimelineEntry {
  id: string;
  at: string;
  interactionId: string;
  channel: 'front' | 'back' | 'internal';
  from: Lane;
  to: Lane;
  title: string;
  explanation?: string;
  clause?: string;
  method?: string;
  url?: string;
  status?: number;
  requestHeaders?: Record<string, string>;
  responseHeaders?: Record<string, string>;
  requestBody?: unknown;
  responseBody?: unknown;
  jwts: TimelineJwt[];
  checks: TimelineCheck[];
  certificate?: { subject: string; x5tS256: string };
  binding?: TimelineBinding;
  /** The parties whose traces describe this message (sender and receiver, when both recorded it). */
  reportedBy: Lane[];
  /** The phase of the connection the message belongs to. */
  phase: Phase;
  /**
   * A refusal the flow expects and answers (a use_dpop_nonce answered by a retry, a 401 after
   * disconnecting): not a failure, so the inspector does not paint it as one.
   */
  expected?: true;
  /** Why the refusal is expected, naming the profile in use. */
  expectedBecause?: string;
}

export interface ConnectionTrace {
  connectionId: string;
  interactionId: string;
  entries: TimelineEntry[];
  /** Parties whose trace could not be read (the inspector says so instead of hiding it). */
  unavailable: { party: Lane; error: string }[];
}
