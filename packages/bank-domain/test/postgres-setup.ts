// Vitest global setup: one real PostgreSQL server for this package's tests (each test gets a database of
// its own on it), so every store test runs on both engines. Without the server binaries the PostgreSQL
// runs are skipped with a notice, unless CI=true or FAPI_TEST_POSTGRES=required: then they must run.
import { postgresBinDir } from '@fapi-sandbox/fapi-core/service-binaries';
import { startTestPostgres } from '@fapi-sandbox/fapi-core/testing-postgres';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string | undefined;
  }
}

export default async function setup(project: TestProject) {
  const required = process.env.CI === 'true' || process.env.FAPI_TEST_POSTGRES === 'required';
  if (!postgresBinDir() && !required) {
    console.warn(
      'bank-domain: no PostgreSQL server binaries (apt-get install postgresql); its runs are skipped',
    );
    project.provide('postgresUrl', undefined);
    return;
  }
  const server = await startTestPostgres();
  project.provide('postgresUrl', server.url);
  return () => server.stop();
}
