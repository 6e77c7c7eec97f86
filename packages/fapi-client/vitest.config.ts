import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'fapi-client', include: ['test/**/*.test.ts'] },
});
