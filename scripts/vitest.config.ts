import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'scripts',
    include: ['test/**/*.test.ts'],
    env: { LOG_LEVEL: 'silent' },
    testTimeout: 60_000,
  },
});
