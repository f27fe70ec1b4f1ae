import type { TestProject } from 'vitest/node';
import { startPostgres, type PostgresCluster } from '@latchkey/test-support';

// The ProvidedContext this fills is declared in helper.ts.
import type {} from '../helper.js';

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
