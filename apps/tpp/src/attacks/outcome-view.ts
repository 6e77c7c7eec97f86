// What the browser gets of an attack: the catalogue as data, and a run's outcome with every credential
// redacted by fapi-core's rules (the trace's own), so no token, code or key leaves the TPP's back end.
import type { Attack, AttackOutcome } from '@fapi-sandbox/fapi-client';
import {
  CREDENTIAL_NAMES,
  looksLikeJwt,
  redactBody,
  redactHeaders,
  redactUrl,
  shorten,
} from '@fapi-sandbox/fapi-core/redact';
import type { AttackCatalogueView, AttackOutcomeView, AttackView } from '../shared/attacks.js';
import { attackedStepTitles } from './attack-steps.js';

export function attackView(attack: Attack): AttackView {
  return {
    id: attack.id,
    title: attack.title,
    message: attack.message,
    profiles: [...attack.profiles],
    refusals: { ...attack.refusals },
    notApplicable: { ...attack.notApplicable },
    succeedsUnder: { ...attack.succeedsUnder },
    ...(attack.howStopped ? { howStopped: { ...attack.howStopped } } : {}),
    threat: attack.threat,
    fix: attack.fix,
    rules: [...attack.rules],
  };
}

export function catalogueView(attacks: readonly Attack[]): AttackCatalogueView {
  return { attacks: attacks.map(attackView), steps: attackedStepTitles() };
}

const CREDENTIALS = new Set(CREDENTIAL_NAMES);
/** A change line: `<where> <name>: <before> -> <after>` (attacks/changes.ts), or free text. */
const CHANGE = /^(.*?)([\w.#-]+): (.*)$/;

/**
 * One change line with its credentials redacted: the quoted values of a credential's field or header
 * shortened, URLs redacted like the trace's, and any JWT shortened wherever it stands.
 */
export function redactChange(line: string): string {
  const found = CHANGE.exec(line);
  const name = found?.[2]?.split('.').at(-1)?.toLowerCase();
  let text =
    found && name && CREDENTIALS.has(name)
      ? `${found[1]}${found[2]}: ${found[3]!.replace(/'([^']*)'/g, (_m, value: string) => `'${shorten(value)}'`)}`
      : line;
  text = text.replace(/https?:\/\/[^\s']+/g, (url) => redactUrl(url));
  return text.replace(/[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, (jwt) =>
    looksLikeJwt(jwt) ? shorten(jwt) : jwt,
  );
}

export function outcomeView(outcome: AttackOutcome): AttackOutcomeView {
  return {
    attack: outcome.attack,
    profile: outcome.profile,
    ...(outcome.refused && outcome.by
      ? {
          refusal: {
            party: outcome.by,
            ...(outcome.status !== undefined ? { status: outcome.status } : {}),
            ...(outcome.error ? { error: outcome.error } : {}),
            ...(outcome.errorDescription ? { description: outcome.errorDescription } : {}),
            // A refusal as expected names the expected clause, in whatever words the party used.
            ...(outcome.clause || outcome.matched
              ? { clause: outcome.clause ?? outcome.expected.clause }
              : {}),
            ...(outcome.check ? { check: outcome.check } : {}),
          },
        }
      : {}),
    ...(outcome.sent
      ? {
          sent: {
            method: outcome.sent.method,
            url: redactUrl(outcome.sent.url),
            headers: redactHeaders(outcome.sent.headers),
            ...(outcome.sent.body !== undefined ? { body: redactBody(outcome.sent.body) } : {}),
          },
        }
      : {}),
    changes: outcome.changes.map(redactChange),
    expected: { ...outcome.expected },
    ...(outcome.succeedsAsTaught ? { succeedsAsTaught: { ...outcome.succeedsAsTaught } } : {}),
    matched: outcome.matched,
    mismatches: outcome.mismatches.map(redactChange),
  };
}
