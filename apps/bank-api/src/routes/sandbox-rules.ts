// GET /sandbox/rules: the checks every protected call runs, in order (pipeline.ts), each with its clause
// and what it checks — for learners and the TPP's rule catalogue page. Public: it says what the API
// demands, never anything about a caller.
import type { RequestHandler } from 'express';
import type { Check } from '../checks/context.js';

export function sandboxRulesRoute(checks: readonly Check[]): RequestHandler {
  const rules = checks.map((check, index) => ({
    order: index + 1,
    name: check.name,
    clause: check.clause,
    // The check names read "<what>: <how>", e.g. "Binding: token cnf matches the proof key or certificate".
    checks: check.name.split(': ')[1] ?? check.name,
  }));
  return (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ party: 'bank-api', rules });
  };
}
