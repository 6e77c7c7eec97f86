// Runs one attack against the real parties: connects a client for the variant, performs the flow up to
// the attacked message, bends that one message, and reports who refused it, with the status, error,
// error_description and the clause it names, beside what the attack expected. An attack the parties do
// NOT refuse is reported as a hole: that is the point of the lab.

import { readFileSync } from 'node:fs';
import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { OAuthError, oauthSafeText } from '@fapi-sandbox/fapi-core/errors';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import { fetch } from 'undici';
import { type Bend, copyOf } from '../bend.js';
import type { Customer } from '../customer/customer-browser.js';
import { asksForNonce } from '../dpop-nonce.js';
import { parseBody } from '../exchange.js';
import { FapiFlowClient, type FlowVariant } from '../flow-client.js';
import type { FapiObserver, ObservedCheck, ObservedExchange } from '../observer.js';
import type { ProfileId } from '../profiles.js';
import type { Attack, AttackContext, ExpectedRefusal, RefusingParty } from './attack.js';
import { describeChanges } from './changes.js';
import { flowSteps } from './flow-steps.js';

/** The attacked message as it went out (credentials are the trace's to redact; no private key is here). */
export interface SentMessage {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface AttackOutcome {
  attack: string;
  profile: ProfileId;
  /** Whether some party refused the attacked message. false is a hole in the bank (or the client). */
  refused: boolean;
  by?: RefusingParty;
  status?: number;
  error?: string;
  errorDescription?: string;
  /** The clause the refusal's description names, e.g. `RFC 6749 §4.1.2`. */
  clause?: string;
  /** For a refusal by the client engine: the check that failed. */
  check?: string;
  sent?: SentMessage;
  /** The bent part, one line per change (`claim aud: 'https://bank…' -> 'https://evil…'`). */
  changes: string[];
  /** The expected refusal; for an attack the profile lets through, the refusal of the rung that stops it. */
  expected: ExpectedRefusal;
  /**
   * Set when the profile lets the attack through as it is taught (FAPI 1.0 Baseline's bearer tokens): why,
   * and which profile stops it. Then `matched` means it was NOT refused.
   */
  succeedsAsTaught?: { stoppedBy: ProfileId; why: string };
  /** Refused by the expected party with the expected status and error, naming the expected clause. */
  matched: boolean;
  /** What differed from the expectation (empty when matched). */
  mismatches: string[];
  /** The flow broke before the attacked message was sent (the attack could not be run). */
  failure?: string;
}

export interface RunAttackOptions {
  config: SandboxConfig;
  variant: FlowVariant;
  observer?: FapiObserver;
  /** The TPP software that attacks; the demo TPP by default. */
  participant?: Participant;
  /** The bank customer who signs in and consents (one of the demo customers the sign-in page lists). */
  customer: Customer;
  /** Every request of the attack carries it as x-fapi-interaction-id (the TPP's connection's). */
  interactionId?: string;
}

export async function runAttack(attack: Attack, options: RunAttackOptions): Promise<AttackOutcome> {
  const { config, variant } = options;
  const allowed = attack.succeedsUnder?.[variant.id];
  const expected = attack.refusals[variant.id] ?? (allowed && attack.refusals[allowed.stoppedBy]);
  if (!expected) {
    throw new Error(
      `attack ${attack.id} does not apply to ${variant.id}: ${attack.notApplicable?.[variant.id] ?? `it applies to ${attack.profiles.join(', ')}`}`,
    );
  }
  const exchanges: ObservedExchange[] = [];
  const checks: ObservedCheck[] = [];
  // The message right after attackNow(), or carrying a JWT the hook changed, is the attacked one though
  // no hook changed the HTTP message itself: it is reported bent.
  let attackedNext = false;
  const observer: FapiObserver = {
    exchange: (observed) => {
      const e = attackedNext ? { ...observed, bent: true } : observed;
      attackedNext = false;
      exchanges.push(e);
      options.observer?.exchange?.(e);
    },
    check: (c) => {
      checks.push(c);
      options.observer?.check?.(c);
    },
  };
  let hook: Bend | undefined;
  let armedAt: number | undefined;
  const changes: string[] = [];
  const bend: Bend = (message) => {
    if (!hook) return undefined;
    const before = copyOf(message);
    const changed = hook(message);
    if (changed) changes.push(...describeChanges(before, changed));
    if (changed?.kind === 'jwt') attackedNext = true;
    return changed;
  };
  const arm = () => {
    armedAt ??= exchanges.length;
  };
  const cleanups: Array<() => Promise<void>> = [];
  const clients: FapiFlowClient[] = [];
  const connect = async (participant?: Participant) => {
    const client = await FapiFlowClient.connect({
      config,
      variant,
      participant: participant ?? options.participant,
      observer,
      bend,
      ...(options.interactionId ? { interactionId: options.interactionId } : {}),
    });
    clients.push(client);
    return client;
  };
  const outcome = (found: Partial<AttackOutcome>): AttackOutcome => {
    const result: AttackOutcome = {
      attack: attack.id,
      profile: variant.id,
      refused: false,
      changes,
      expected,
      ...(allowed ? { succeedsAsTaught: allowed } : {}),
      matched: false,
      mismatches: [],
      ...found,
    };
    result.mismatches = allowed ? succeededAsTaught(result, allowed.why) : mismatchesOf(result, expected);
    result.matched = result.mismatches.length === 0;
    return result;
  };

  try {
    const client = await connect();
    const ctx: AttackContext = {
      client,
      config,
      variant,
      customer: options.customer,
      participant: options.participant ?? config.participants.demo,
      bend: (next) => {
        arm();
        hook = next;
      },
      attackNow: (change) => {
        arm();
        attackedNext = true;
        changes.push(change);
      },
      connectAnother: (participant) =>
        connect(typeof participant === 'string' ? config.participants[participant] : participant),
      directoryAdmin: async (method, path, body) => (await directoryAdmin(config, method, path, body)).status,
      directoryAdminAnswer: (method, path, body) => directoryAdmin(config, method, path, body),
      onCleanup: (step) => {
        cleanups.push(step);
      },
    };
    let thrown: unknown;
    try {
      await attack.run(ctx, flowSteps);
    } catch (err) {
      thrown = err;
    }
    if (armedAt === undefined) {
      return outcome({ failure: `the flow broke before the attacked message: ${messageOf(thrown)}` });
    }
    const attacked = exchanges.slice(armedAt);
    // A refusal the bank showed on a page (front channel), or the client engine's own (state, iss, JARM).
    if (thrown instanceof RefusedPage) {
      return outcome({ refused: true, by: 'bank-op', ...refusalOf(thrown), sent: thrown.sent });
    }
    if (thrown instanceof OAuthError) {
      const failedCheck = checks.filter((check) => !check.passed).at(-1);
      return outcome({
        refused: true,
        by: 'tpp',
        ...refusalOf(thrown),
        ...(failedCheck ? { check: failedCheck.name } : {}),
      });
    }
    const refusal = attacked.find((e) => e.status !== undefined && e.status >= 400 && !isNonceChallenge(e));
    if (!refusal) {
      const last = attacked.at(-1);
      return outcome({
        ...(last ? { sent: sentOf(last) } : {}),
        ...(thrown ? { failure: messageOf(thrown) } : {}),
      });
    }
    const body = (refusal.responseBody ?? {}) as { error?: unknown; error_description?: unknown };
    const description = typeof body.error_description === 'string' ? body.error_description : undefined;
    return outcome({
      refused: true,
      by: partyOf(config, refusal.url),
      status: refusal.status,
      ...(typeof body.error === 'string' ? { error: body.error } : {}),
      ...(description ? { errorDescription: description, clause: clauseOf(description) } : {}),
      sent: sentOf(refusal),
    });
  } catch (err) {
    return outcome({ failure: messageOf(err) });
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await Promise.all(clients.map((client) => client.close()));
  }
}

/**
 * A refusal the bank showed the customer on its error page (the front channel has no JSON): what the
 * page says, as an OAuth error, so the runner reports it like any other.
 */
export class RefusedPage extends OAuthError {
  constructor(
    readonly sent: SentMessage,
    init: { status: number; error: string; description: string },
  ) {
    super(init);
    this.name = 'RefusedPage';
  }
}

function refusalOf(err: OAuthError) {
  return {
    status: err.status,
    error: err.error,
    errorDescription: err.errorDescription,
    clause: err.clause ?? clauseOf(err.errorDescription),
  };
}

/** For an attack the profile lets through: what differs from that (a refusal, or a flow that broke). */
function succeededAsTaught(outcome: AttackOutcome, why: string): string[] {
  if (outcome.failure) return [outcome.failure];
  if (outcome.refused)
    return [`refused by ${outcome.by}, but ${outcome.profile} should let it through: ${why}`];
  return [];
}

/** What differs between a refusal and its expectation. */
function mismatchesOf(outcome: AttackOutcome, expected: ExpectedRefusal): string[] {
  if (outcome.failure) return [outcome.failure];
  if (!outcome.refused) return ['NOT REFUSED: every party accepted the attacked message'];
  const out: string[] = [];
  if (outcome.by !== expected.party) out.push(`refused by ${outcome.by}, expected ${expected.party}`);
  if (outcome.status !== expected.status) out.push(`status ${outcome.status}, expected ${expected.status}`);
  if (outcome.error !== expected.error) out.push(`error ${outcome.error}, expected ${expected.error}`);
  if (!namesClause(`${outcome.errorDescription ?? ''} (${outcome.clause ?? ''})`, expected.clause)) {
    out.push(`the description does not name ${expected.clause}`);
  }
  return out;
}

/**
 * Whether a text names a clause: one parenthesised reference holds the clause's document and each of
 * its sections, in the RFC 6749 §5.2 spelling ("RFC 9449 section 4.3 check 12, section 6.1" names
 * RFC 9449 §6.1).
 */
export function namesClause(text: string, clause: string): boolean {
  const [document = '', ...sections] = oauthSafeText(clause).split(/\s*section\s*/);
  return [...oauthSafeText(text).matchAll(/\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g)].some(
    ([, group = '']) =>
      group.includes(document.trim()) &&
      sections.every((section) => group.includes(`section ${section.trim()}`)),
  );
}

/**
 * The clause an error_description names: the last parenthesised reference to a spec before "Fix:",
 * with the section sign restored.
 */
export function clauseOf(description: string): string | undefined {
  const problem = description.split(' Fix: ')[0] ?? description;
  const groups = [...problem.matchAll(/\(([^()]*(?:RFC|FAPI|OIDC|JARM|UK OB|OB |PSD2)[^()]*)\)/g)];
  return groups.at(-1)?.[1]?.replace(/section /g, '§');
}

function isNonceChallenge(exchange: ObservedExchange): boolean {
  return asksForNonce({
    status: exchange.status ?? 0,
    headers: exchange.responseHeaders ?? {},
    body: exchange.responseBody,
    text: '',
    ok: false,
  });
}

function partyOf(config: SandboxConfig, url: string): RefusingParty {
  const origin = URL.canParse(url) ? new URL(url).origin : '';
  if (origin === config.bankApi.web.origin) return 'bank-api';
  if (origin === config.directory.web.origin || origin === config.directory.mtls.origin) return 'directory';
  if (origin === config.bankOp.web.origin || origin === config.bankOp.mtls.origin) return 'bank-op';
  return 'tpp';
}

function sentOf(exchange: ObservedExchange): SentMessage {
  return {
    method: exchange.method,
    url: exchange.url,
    headers: exchange.requestHeaders,
    ...(exchange.requestBody !== undefined ? { body: exchange.requestBody } : {}),
  };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The directory's admin API with the sandbox's admin credential (the one `pnpm dev` prints). */
async function directoryAdmin(
  config: SandboxConfig,
  method: 'PATCH' | 'POST',
  path: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const credential = readFileSync(config.directory.adminCredentialFile, 'utf8').trim();
  const agent = createSandboxAgent({}, config);
  try {
    const response = await fetch(`${config.directory.web.origin}${path}`, {
      method,
      dispatcher: agent,
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: parseBody(text, response.headers.get('content-type')) };
  } finally {
    await agent.close();
  }
}
