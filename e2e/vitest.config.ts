import { defineProject } from 'vitest/config';

// Unit tests of the e2e package's own code (the demo gallery); the Playwright scenarios under tests/ are not Vitest's.
export default defineProject({
  test: { name: 'e2e', include: ['unit/**/*.test.ts'] },
});
