// What the onboarding page shows: its steps, each with the explanation and clause of the trace step it
// is, and the last run, kept in SQLite so that reloading the page (or restarting the TPP) shows it.
import type { OnboardingStepView, OnboardingView } from '../shared/api.js';
import type { Db } from '../store/database.js';
import { STEPS } from '../trace/steps.js';

/** The steps of a run not yet started, in the order they run. */
export function emptySteps(): OnboardingStepView[] {
  const step = (id: OnboardingStepView['id'], key: keyof typeof STEPS): OnboardingStepView => ({
    id,
    title: STEPS[key].title,
    status: 'pending',
    explanation: STEPS[key].explanation,
    clause: STEPS[key].clause,
  });
  return [
    step('ssa', 'ssa'),
    step('ssa-verify', 'ssa-verify'),
    step('participants', 'participants'),
    step('discovery', 'discovery'),
    step('register', 'dcr'),
  ];
}

export interface OnboardingRuns {
  save(view: OnboardingView): void;
  /** The last run, or a run not yet started for `software`. */
  last(software: OnboardingView['software']): OnboardingView;
}

export function createOnboardingRuns(db: Db): OnboardingRuns {
  const insert = db.prepare(
    'INSERT INTO onboarding_runs (interaction_id, started_at, result_json) VALUES (?, ?, ?)',
  );
  const latest = db.prepare('SELECT result_json FROM onboarding_runs ORDER BY id DESC LIMIT 1');
  return {
    save(view) {
      insert.run(view.interactionId, view.finishedAt, JSON.stringify(view));
    },
    last(software) {
      const row = latest.get() as { result_json: string } | undefined;
      if (row) return JSON.parse(row.result_json) as OnboardingView;
      return { status: 'not-started', software, steps: emptySteps(), registrations: [] };
    },
  };
}
