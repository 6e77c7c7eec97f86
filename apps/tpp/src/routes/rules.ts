// GET /api/rules: the rule catalogue page's data. Both banks' rule lists (read live, so the page shows
// what the running bank enforces), joined with the attack lab's catalogue. Public like the lists it joins:
// no session, nothing about a customer. A bank that does not answer is a 502 naming it (PartyError).
import { ATTACKS } from '@fapi-sandbox/fapi-client';
import { Router } from 'express';
import type { BankRulesReader } from '../rules/bank-rules.js';
import { buildRuleCatalogue } from '../rules/catalogue.js';
import type { RuleCatalogue } from '../shared/rules.js';

export function rulesRoutes(deps: { bankRules: BankRulesReader }): Router {
  const router = Router();
  router.get('/rules', async (_req, res) => {
    const catalogue: RuleCatalogue = buildRuleCatalogue(await deps.bankRules.read(), ATTACKS);
    res.set('Cache-Control', 'no-store').json(catalogue);
  });
  return router;
}
