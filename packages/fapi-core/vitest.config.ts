import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'fapi-core', include: ['test/**/*.test.ts'], env: { LOG_LEVEL: 'silent' } },
});
