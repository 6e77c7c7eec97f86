import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'bank-op',
    include: ['test/**/*.test.ts'],
    env: { LOG_LEVEL: 'silent' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
