// What the onboarding page shows: its steps, each with the explanation and clause of the trace step it
// is, and the last run, kept in the TPP's database so that reloading the page (or restarting the TPP) shows it.
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
  save(view: OnboardingView): Promise<void>;
  /** The last run, or a run not yet started for `software`. */
  last(software: OnboardingView['software']): Promise<OnboardingView>;
}

export function createOnboardingRuns(db: Db): OnboardingRuns {
  return {
    async save(view) {
      await db
        .insertInto('onboarding_runs')
        .values({
          // A run is saved once it has both (onboarding-run.ts).
          interaction_id: view.interactionId ?? '',
          started_at: view.finishedAt ?? new Date().toISOString(),
          result_json: JSON.stringify(view),
        })
        .execute();
    },
    async last(software) {
      const row = await db
        .selectFrom('onboarding_runs')
        .select('result_json')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (row) return JSON.parse(row.result_json) as OnboardingView;
      return { status: 'not-started', software, steps: emptySteps(), registrations: [] };
    },
  };
}
