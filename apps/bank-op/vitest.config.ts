import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'bank-op',
    include: ['test/**/*.test.ts'],
    env: { LOG_LEVEL: 'silent' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // FAPI_TEST_STORAGE=postgres+redis: the same suite on PostgreSQL and Redis (testing-services.ts).
    globalSetup: ['@fapi-sandbox/fapi-core/testing-services-setup'],
  },
});
