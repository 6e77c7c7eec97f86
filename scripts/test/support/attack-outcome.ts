// What a reader of a failed attack test needs: who refused, how, what was bent, and what was expected.
import type { AttackOutcome } from '@fapi-sandbox/fapi-client';

export function summary(outcome: AttackOutcome): string {
  return JSON.stringify(
    {
      by: outcome.by,
      status: outcome.status,
      error: outcome.error,
      description: outcome.errorDescription,
      changes: outcome.changes,
      mismatches: outcome.mismatches,
    },
    null,
    2,
  );
}
