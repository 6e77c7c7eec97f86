import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'directory',
    include: ['test/**/*.test.ts'],
    env: { LOG_LEVEL: 'silent' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: [
      // FAPI_TEST_STORAGE=postgres+redis: the same suite on PostgreSQL (testing-services.ts).
      '@fapi-sandbox/fapi-core/testing-services-setup',
      // The store's own tests run on both engines: a PostgreSQL server for them (inject('postgresUrl')).
      '@fapi-sandbox/fapi-core/testing-postgres-setup',
    ],
  },
});
