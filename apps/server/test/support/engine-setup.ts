import type { TestProject } from 'vitest/node';
import { startPostgres, type PostgresCluster } from '@latchkey/test-support';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set when the suites run on PostgreSQL (LATCHKEY_TEST_ENGINE=postgres): the test cluster's superuser URL. */
    postgresUrl: string | undefined;
  }
}

let cluster: PostgresCluster | undefined;

/**
 * One source, two engines: with LATCHKEY_TEST_ENGINE=postgres the same suites run on a real
 * PostgreSQL 15 cluster started here once (each test app gets a database of its own, see
 * test/helper.ts); otherwise on SQLite files, as a user's `npm start` does.
 */
export async function setup(project: TestProject): Promise<void> {
  if (process.env.LATCHKEY_TEST_ENGINE !== 'postgres') {
    project.provide('postgresUrl', undefined);
    return;
  }
  cluster = await startPostgres();
  project.provide('postgresUrl', cluster.url);
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
}
