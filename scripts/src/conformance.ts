// `pnpm conformance`: what an OpenID Foundation certification run would check, run here. It runs the
// conformance suites (apps/bank-op/test/conformance, apps/bank-api/test/conformance: one test per module
// of the FAPI 2.0 Security Profile and FAPI 1.0 Advanced plans and per variant, each against a sandbox of
// its own), then prints plan → module → variant → result, with the reason for each module that does not
// apply to this bank, and a summary line per plan. Exit code 1 when any run failed or is missing.
// Extra arguments go to Vitest (e.g. `pnpm conformance --maxWorkers=1`).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  PLANS,
  type Plan,
  parseConformanceTestName,
  variantLabel,
  variantsOf,
} from '../../apps/bank-op/test/conformance/modules.js';

export const SUITES = ['apps/bank-op/test/conformance', 'apps/bank-api/test/conformance'];

export type Outcome = 'passed' | 'failed' | 'skipped' | 'missing';

/** One test as Vitest's JSON reporter lists it. */
export interface TestResult {
  title: string;
  status: string;
}

/** Every test of the conformance suites, by `<module id> <variant>`: failed if any test of it failed. */
export function outcomesByRun(results: readonly TestResult[]): Map<string, Outcome> {
  const outcomes = new Map<string, Outcome>();
  for (const result of results) {
    const parsed = parseConformanceTestName(result.title);
    if (!parsed) continue;
    const key = `${parsed.moduleId} ${variantLabel(parsed.variant)}`;
    const outcome: Outcome =
      result.status === 'passed' ? 'passed' : result.status === 'failed' ? 'failed' : 'skipped';
    const before = outcomes.get(key);
    if (before === 'failed' || (before === 'skipped' && outcome === 'passed')) continue;
    outcomes.set(key, outcome);
  }
  return outcomes;
}

export interface PlanSummary {
  plan: Plan;
  lines: string[];
  counts: Record<Outcome | 'notApplicable', number>;
}

/** The plan's report: each module, each of its variants with its outcome, or why it does not apply. */
export function planReport(plan: Plan, outcomes: Map<string, Outcome>): PlanSummary {
  const counts = { passed: 0, failed: 0, skipped: 0, missing: 0, notApplicable: 0 };
  const lines = [`${plan.title} (${plan.id})`];
  for (const module of plan.modules) {
    if (typeof module.applies === 'object') {
      counts.notApplicable += 1;
      lines.push(`  ${module.id}`, `    not applicable: ${module.applies.notApplicable}`);
      continue;
    }
    lines.push(`  ${module.id}${module.negative ? ' (must reject)' : ''}`);
    for (const variant of variantsOf(plan, module)) {
      const outcome = outcomes.get(`${module.id} ${variantLabel(variant)}`) ?? 'missing';
      counts[outcome] += 1;
      lines.push(`    ${variantLabel(variant).padEnd(28)} ${outcome}`);
    }
  }
  const applicable = plan.modules.length - counts.notApplicable;
  const runs = counts.passed + counts.failed + counts.skipped + counts.missing;
  lines.push(
    `${plan.id}: ${counts.passed} of ${runs} module × variant runs passed, ${counts.failed} failed, ` +
      `${counts.skipped} skipped, ${counts.missing} without a test; ${applicable} modules apply, ` +
      `${counts.notApplicable} not applicable`,
  );
  return { plan, lines, counts };
}

/** Runs the suites with Vitest's JSON reporter; the tests it reported. */
function runSuites(repoRoot: string, extraArgs: readonly string[]): TestResult[] {
  const outputFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fapi-conformance-')), 'results.json');
  const run = spawnSync(
    'pnpm',
    [
      'exec',
      'vitest',
      'run',
      ...SUITES,
      '--reporter=dot',
      '--reporter=json',
      `--outputFile.json=${outputFile}`,
      ...extraArgs,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (!fs.existsSync(outputFile)) {
    throw new Error(`vitest wrote no results (exit ${run.status ?? run.signal}); see its output above`);
  }
  const report = JSON.parse(fs.readFileSync(outputFile, 'utf8')) as {
    testResults: { assertionResults: TestResult[] }[];
  };
  fs.rmSync(path.dirname(outputFile), { recursive: true, force: true });
  return report.testResults.flatMap((file) => file.assertionResults);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const outcomes = outcomesByRun(runSuites(repoRoot, process.argv.slice(2)));
  const summaries = PLANS.map((plan) => planReport(plan, outcomes));
  console.log(`\n${summaries.map((summary) => summary.lines.join('\n')).join('\n\n')}\n`);
  for (const summary of summaries) console.log(summary.lines.at(-1));
  const broken = summaries.some(({ counts }) => counts.failed + counts.missing > 0);
  process.exit(broken ? 1 : 0);
}
