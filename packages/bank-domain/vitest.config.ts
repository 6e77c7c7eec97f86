import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'bank-domain',
    include: ['test/**/*.test.ts'],
    globalSetup: ['@fapi-sandbox/fapi-core/testing-postgres-setup'],
  },
});
