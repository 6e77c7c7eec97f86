import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'directory',
    include: ['test/**/*.test.ts'],
    env: { LOG_LEVEL: 'silent' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: [
      // The store's own tests run on both engines: a PostgreSQL server for them (inject('postgresUrl')).
      '@fapi-sandbox/fapi-core/testing-postgres-setup',
    ],
  },
});
