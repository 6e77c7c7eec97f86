// Vitest global setup of the store suites (bank-domain's, the directory's): one real PostgreSQL server
// for the project's tests (each test gets a database of its own on it, testing-postgres.ts), so every
// store test runs on both engines; tests read its URL with inject('postgresUrl'). Without the server
// binaries the PostgreSQL runs are skipped with a notice, unless CI=true or FAPI_TEST_POSTGRES=required.
import type { TestProject } from 'vitest/node';
import { postgresBinDir } from './service-binaries.js';
import { startTestPostgres } from './testing-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | undefined;
  }
}

export default async function setup(project: TestProject) {
  const required = process.env.CI === 'true' || process.env.FAPI_TEST_POSTGRES === 'required';
  if (!postgresBinDir() && !required) {
    console.warn(
      `${project.name}: no PostgreSQL server binaries (apt-get install postgresql); its PostgreSQL runs are skipped`,
    );
    project.provide('postgresUrl', undefined);
    return;
  }
  const server = await startTestPostgres();
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
