import react from '@vitejs/plugin-react';
import { defineProject } from 'vitest/config';

// Back-end tests (test/server/**) run in node against real directory, bank-op and bank-api instances.
// The UI's component tests (test/web/**, *.test.tsx) start with `// @vitest-environment happy-dom`.
export default defineProject({
  plugins: [react()],
  test: {
    name: 'tpp',
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    setupFiles: ['test/setup.ts'],
    env: { LOG_LEVEL: 'silent' },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // FAPI_TEST_STORAGE=postgres+redis: the server tests with every party on PostgreSQL and Redis, the
    // TPP's data included (FAPI_TPP_DATABASE_URL; testing-services.ts). The UI's tests need no server.
    globalSetup: ['@fapi-sandbox/fapi-core/testing-services-setup'],
  },
});
