// The OpenID Foundation's FAPI 2.0 Security Profile (final) plan, module by module, for every variant the
// bank offers: one test per module × variant, named `<module id> [<client auth>, <sender constraint>]`
// so that `pnpm conformance` can report it. The scenarios are in fapi2-scenarios.ts; the bank's
// resource-server half of a module lives in apps/bank-api/test/conformance.
import { fapi2Scenarios } from './fapi2-scenarios.js';
import { conformanceSandbox } from './harness.js';
import { FAPI2_SECURITY_PROFILE as plan } from './modules.js';
import { runPlan } from './scenarios.js';

runPlan(plan, conformanceSandbox(plan, 'fapi2'), fapi2Scenarios);
