// `pnpm attack`: the attack lab from a terminal, for a trainer's projector. Against the running sandbox
// (`pnpm dev`, the addresses of fapi-core's configuration) it connects as the demo TPP, performs the flow
// up to one message, bends that message and shows what was sent, who refused it and why.
//
//   pnpm attack --list                       every attack: id, message, profiles, title
//   pnpm attack code-reuse                   under every profile the attack applies to
//   pnpm attack dpop-wrong-htu --profile fapi2-dpop
//
// Exit code 0 when every attack run was refused as expected, 1 otherwise (an attack that got through is
// a hole in the bank, and the output says so loudly).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { demoCustomer } from '@fapi-sandbox/bank-domain';
import {
  ATTACKS,
  type Attack,
  type AttackOutcome,
  attackById,
  type FlowVariant,
  PROFILE_VARIANTS,
  runAttack,
} from '@fapi-sandbox/fapi-client';
import { type SandboxConfig, sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { readCommandLine } from './command-line.js';

const USAGE = `usage: pnpm attack --list
       pnpm attack <attack-id> [--profile fapi2-dpop|fapi2-mtls|fapi1-advanced]`;

const WIDTH = 100;
const LABEL = 10;

/** Words wrapped to the projector's width, continuation lines indented under the first. */
function wrap(text: string, indent: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > WIDTH - indent) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

function row(label: string, text: string): string {
  return `  ${label.padEnd(LABEL)}${wrap(text, LABEL + 2)}`;
}

export function formatList(attacks: readonly Attack[] = ATTACKS): string {
  const idWidth = Math.max(...attacks.map((attack) => attack.id.length)) + 2;
  const messageWidth = Math.max(...attacks.map((attack) => attack.message.length)) + 2;
  const profilesWidth = Math.max(...attacks.map((attack) => attack.profiles.join(', ').length)) + 2;
  const lines = attacks.map(
    (attack) =>
      `${attack.id.padEnd(idWidth)}${attack.message.padEnd(messageWidth)}${attack.profiles.join(', ').padEnd(profilesWidth)}${attack.title}`,
  );
  const header = `${'attack'.padEnd(idWidth)}${'message'.padEnd(messageWidth)}${'profiles'.padEnd(profilesWidth)}title`;
  return [
    header,
    ...lines,
    '',
    `${attacks.length} attacks. Run one: pnpm attack <attack> [--profile <p>]`,
  ].join('\n');
}

/** One attack under one profile, as a projector shows it: the request, the bent part, the refusal, why. */
export function formatOutcome(attack: Attack, variant: FlowVariant, outcome: AttackOutcome): string {
  const expected = outcome.expected;
  const lines = [`━━ ${attack.id} · ${variant.title}`, `   ${attack.title}`, ''];
  if (outcome.sent) lines.push(row('sent', `${outcome.sent.method} ${outcome.sent.url}`));
  for (const change of outcome.changes) lines.push(row('bent', change));
  if (outcome.refused) {
    lines.push(row('refused', `by ${outcome.by} · ${outcome.status} ${outcome.error ?? ''}`));
    if (outcome.check) lines.push(row('check', outcome.check));
    if (outcome.errorDescription) lines.push(row('', outcome.errorDescription));
  }
  lines.push(
    row('threat', `without this rule, ${attack.threat}`),
    row('clause', outcome.clause ?? expected.clause),
    row('fix', attack.fix),
    ...(attack.rules.length ? [row('rules', attack.rules.join(' · '))] : []),
    '',
  );
  if (outcome.succeedsAsTaught && outcome.matched) {
    // FAPI 1.0 Baseline lets it through: the lesson is which rung above refuses it.
    lines.push(
      `  ⚠ succeeds under ${variant.title}, as taught: ${outcome.succeedsAsTaught.why}`,
      `    ${outcome.succeedsAsTaught.stoppedBy} refuses it: ${expected.party}, ${expected.status} ${expected.error} (${expected.clause})`,
    );
  } else if (outcome.matched) {
    lines.push(`  ✓ refused as expected: ${expected.party}, ${expected.status} ${expected.error}`);
  } else if (!outcome.refused && !outcome.failure) {
    lines.push(
      '  ✗✗✗ NOT REFUSED: the parties accepted this message. That is a hole: fix the rule that should stop it.',
    );
  } else {
    lines.push(
      `  ✗ not as expected (${expected.party}, ${expected.status} ${expected.error}, ${expected.clause}):`,
    );
    for (const mismatch of outcome.mismatches) lines.push(row('', mismatch));
  }
  return lines.join('\n');
}

/** The variants to run an attack under: the one asked for, or every profile it applies to. */
export function variantsFor(attack: Attack, profile: string | undefined): FlowVariant[] | string {
  const runsUnder = (id: FlowVariant['id']) => attack.profiles.includes(id) || !!attack.succeedsUnder?.[id];
  if (profile === undefined) return PROFILE_VARIANTS.filter((variant) => runsUnder(variant.id));
  const variant = PROFILE_VARIANTS.find((candidate) => candidate.id === profile);
  if (!variant) return `unknown profile '${profile}': use ${PROFILE_VARIANTS.map((v) => v.id).join(', ')}`;
  if (!runsUnder(variant.id)) {
    return `${attack.id} does not apply to ${profile}: ${attack.notApplicable?.[variant.id] ?? `it applies to ${attack.profiles.join(', ')}`}`;
  }
  return [variant];
}

async function main(config: SandboxConfig): Promise<number> {
  const { values, positionals } = readCommandLine(USAGE, {
    options: { list: { type: 'boolean' }, profile: { type: 'string' } },
    positionals: 1,
  });
  if (values.list) {
    console.log(formatList());
    return 0;
  }
  const id = positionals[0];
  if (!id) {
    console.error(`name an attack, or --list\n${USAGE}`);
    return 2;
  }
  const attack = attackById(id);
  if (!attack) {
    console.error(`there is no attack '${id}'; pnpm attack --list shows them`);
    return 2;
  }
  const variants = variantsFor(attack, values.profile);
  if (typeof variants === 'string') {
    console.error(variants);
    return 2;
  }
  let allRefused = true;
  for (const variant of variants) {
    const outcome = await runAttack(attack, {
      config,
      variant,
      customer: demoCustomer(),
    });
    console.log(`${formatOutcome(attack, variant, outcome)}\n`);
    if (outcome.failure?.match(/ECONNREFUSED|fetch failed/)) {
      console.error(`Is the sandbox running? Start it with pnpm dev (bank at ${config.bankOp.issuer}).`);
    }
    allRefused &&= outcome.matched;
  }
  return allRefused ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(sandboxConfig());
}
