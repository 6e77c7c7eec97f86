import os from 'node:os';
import { defineConfig } from 'vitest/config';

// One test runner for the whole repository: each workspace package is a Vitest project.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'scripts', 'e2e'],
    // A worker per core, not Vitest's default of one fewer: most files wait on real parties (TLS
    // round trips, the directory's max-age, child processes), so with one worker a 2-core machine idles.
    // Each worker draws ports from a block of its own (fapi-core/testing.ts).
    maxWorkers: os.availableParallelism(),
  },
});
