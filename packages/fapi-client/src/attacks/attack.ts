// The attack lab's vocabulary: an attack bends one message of a real connection (through the engine's
// bend hook or the flow client's steps) and says, per profile, which party must refuse it, with which
// status, error and clause, what would happen without that rule, and how a client gets it right.
import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import type { Bend } from '../bend.js';
import type { Customer } from '../customer/customer-browser.js';
import type { AccessToken, FapiFlowClient, FlowVariant, PendingAuthorization } from '../flow-client.js';
import type { ProfileId } from '../profiles.js';

/** The message of a connection an attack bends: a step id the TPP's trace steps map to. */
export type AttackMessage =
  | 'par'
  | 'authorization-request'
  | 'authorization-response'
  | 'token:authorization_code'
  | 'token:client_credentials'
  | 'token:refresh_token'
  | 'api:account-access-consents'
  | 'api:accounts'
  | 'payment'
  | 'directory';

/** The party that refuses: the bank's authorization server or API, the directory, or the TPP's own engine. */
export type RefusingParty = 'bank-op' | 'bank-api' | 'directory' | 'tpp';

/**
 * A rule that stops an attack: a bank-op posture rule id (`bank-op:code-single-use`, from
 * apps/bank-op/src/profiles/*.ts), a bank-api pipeline check name (`bank-api:Binding: …`), or the name
 * of a check the client engine runs (`tpp:state matches the request`).
 */
export type RuleRef = `bank-op:${string}` | `bank-api:${string}` | `tpp:${string}`;

export interface ExpectedRefusal {
  party: RefusingParty;
  status: number;
  error: string;
  /** The clause the refusal's error_description names (matched as a substring). */
  clause: string;
}

/** What an attack does with a connected client; it ends right after the bent message. */
export interface AttackContext {
  client: FapiFlowClient;
  config: SandboxConfig;
  variant: FlowVariant;
  customer: Customer;
  /** The TPP software that attacks. */
  participant: Participant;
  /** Bends the messages from now on; the first message it changes is the attacked one. */
  bend(hook: Bend): void;
  /** Marks the attacked message when no hook changes it (a code sent twice); `change` says what is wrong. */
  attackNow(change: string): void;
  /**
   * Another client of the same variant (another session, another TPP, or the same software with other
   * credentials, e.g. a new transport certificate): closed when the attack ends.
   */
  connectAnother(participant?: 'demo' | 'second' | Participant): Promise<FapiFlowClient>;
  /** The directory's admin API (https://directory…/ui's back end), with the sandbox's admin credential. */
  directoryAdmin(method: 'PATCH' | 'POST', path: string, body: unknown): Promise<number>;
  /** The same, with the answer's body (an issued certificate). */
  directoryAdminAnswer(
    method: 'PATCH' | 'POST',
    path: string,
    body: unknown,
  ): Promise<{ status: number; body: unknown }>;
  /** Runs when the attack ends, whatever happened (restores the directory's state). */
  onCleanup(step: () => Promise<void>): void;
}

/** Reusable parts of the flow, so each attack says only what it changes. */
export interface FlowSteps {
  /** Client credentials + an account-access consent. */
  consent(client: FapiFlowClient): Promise<string>;
  /** Consent, PAR, the customer allows: the authorization response as it arrives at the redirect URI. */
  authorize(
    client: FapiFlowClient,
    customer: Customer,
  ): Promise<{ pending: PendingAuthorization; landing: URL }>;
  /** Up to a checked authorization code. */
  code(client: FapiFlowClient, customer: Customer): Promise<{ pending: PendingAuthorization; code: string }>;
  /** Up to a customer's sender-constrained access token. */
  token(client: FapiFlowClient, customer: Customer): Promise<AccessToken>;
}

export interface Attack {
  /** Kebab-case; the CLI name. */
  id: string;
  title: string;
  message: AttackMessage;
  /** The profiles it applies to: the keys of `refusals`. */
  profiles: readonly ProfileId[];
  /** Who refuses it under each profile, side by side when FAPI 2.0 and FAPI 1.0 Advanced differ. */
  refusals: Readonly<Partial<Record<ProfileId, ExpectedRefusal>>>;
  /** Why a profile is not listed (e.g. FAPI 2.0 sends no request object). */
  notApplicable?: Readonly<Partial<Record<ProfileId, string>>>;
  /**
   * The profiles that let the attack through, as they are taught (FAPI 1.0 Baseline's bearer tokens):
   * `stoppedBy` is the rung above that refuses it, and whose refusal the runner shows beside the success.
   */
  succeedsUnder?: Readonly<Partial<Record<ProfileId, { stoppedBy: ProfileId; why: string }>>>;
  /**
   * How a profile comes to refuse it, where the ways differ in a way worth telling (a JWT access token
   * checked against a revocation list, an opaque one introspected at every call).
   */
  howStopped?: Readonly<Partial<Record<ProfileId, string>>>;
  /** One sentence: what would happen without the rule. */
  threat: string;
  fix: string;
  rules: readonly RuleRef[];
  /** Performs the flow up to the message, bends it, sends it. */
  run(ctx: AttackContext, steps: FlowSteps): Promise<unknown>;
}

/** Declares an attack; its profiles are those it names a refusal for. */
export function defineAttack(attack: Omit<Attack, 'profiles'>): Attack {
  const declared = withOpaqueAccessTokens(attack);
  return { ...declared, profiles: Object.keys(declared.refusals) as ProfileId[] };
}

const OPAQUE: ProfileId = 'fapi2-dpop-opaque';

/**
 * fapi2-dpop-opaque is fapi2-dpop with opaque access tokens (RFC 7662): unless an attack says otherwise
 * for it, it is refused as under fapi2-dpop, or does not apply, for the same reason.
 */
function withOpaqueAccessTokens(attack: Omit<Attack, 'profiles'>): Omit<Attack, 'profiles'> {
  if (attack.refusals[OPAQUE] || attack.notApplicable?.[OPAQUE] || attack.succeedsUnder?.[OPAQUE]) {
    return attack;
  }
  const refusal = attack.refusals['fapi2-dpop'];
  if (refusal) return { ...attack, refusals: { ...attack.refusals, [OPAQUE]: refusal } };
  const why = attack.notApplicable?.['fapi2-dpop'];
  return why ? { ...attack, notApplicable: { ...attack.notApplicable, [OPAQUE]: why } } : attack;
}

/** The same refusal under every profile listed. */
export function sameRefusal(
  profiles: readonly ProfileId[],
  refusal: ExpectedRefusal,
): Partial<Record<ProfileId, ExpectedRefusal>> {
  return Object.fromEntries(profiles.map((profile) => [profile, refusal]));
}

export const ALL_PROFILES: readonly ProfileId[] = ['fapi2-dpop', 'fapi2-mtls', 'fapi1-advanced'];
/** The same, and FAPI 1.0 Baseline, where Baseline refuses the attack the same way. */
export const WITH_BASELINE: readonly ProfileId[] = [...ALL_PROFILES, 'fapi1-baseline'];
/** FAPI 1.0 Baseline: what it sends instead of the attacked message, for `notApplicable`. */
export const BASELINE = {
  noRequestObject:
    'FAPI 1.0 Baseline signs no request object: its parameters travel unsigned in the browser, where anything may change them (Advanced adds JAR, FAPI 1.0 Adv §5.2.2-1)',
  noPar:
    'FAPI 1.0 Baseline pushes nothing: the parameters travel in the browser URL, so there is no request_uri (FAPI 2.0 adds PAR)',
  noJarm:
    'FAPI 1.0 Baseline answers with a plain query, unsigned: nothing to tamper with but nothing verified either (Advanced adds JARM, FAPI 1.0 Adv §5.2.2-2)',
  bearer: 'FAPI 1.0 Baseline tokens are bearer tokens: no DPoP proof is sent',
} as const;
/** Why an attack on the access token's JWT claims does not apply to an opaque token. */
export const OPAQUE_TOKEN_IS_A_REFERENCE =
  'the access token is opaque, a reference with no claims in it to edit: bank-api learns its claims only from bank-op, by introspection (RFC 7662 §2.2)';
export const FAPI2: readonly ProfileId[] = ['fapi2-dpop', 'fapi2-mtls'];
export const MTLS_BOUND: readonly ProfileId[] = ['fapi2-mtls', 'fapi1-advanced'];
export const PRIVATE_KEY_JWT: readonly ProfileId[] = ['fapi2-dpop', 'fapi1-advanced'];
