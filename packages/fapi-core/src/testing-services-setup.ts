// Vitest global setup for the integration suites (bank-op, bank-api): PostgreSQL and Redis servers of the
// run's own when FAPI_TEST_STORAGE=postgres+redis (testing-services.ts); nothing on the embedded default.
import { startHostedTestServices } from './testing-services.js';

export default startHostedTestServices;
