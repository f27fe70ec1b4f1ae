import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  HIGH_RATE_LIMITS,
  postgresSkipReason,
  startPostgres,
  startServerProcess,
  startSmtpSink,
  writeSharedNodeFiles,
  type PostgresCluster,
  type ServerProcess,
  type SmtpSink,
} from '@latchkey/test-support';
import { afterAll, beforeAll } from 'vitest';

/**
 * Several Latchkey nodes on one PostgreSQL database (issue 20, "Active-active: several servers on
 * PostgreSQL"): real server processes from the build, as an IT department runs them behind a load
 * balancer. Each node has its own data dir and LATCHKEY_NODE_NAME; the database URL, the secret key
 * and the verdict-signing key are the same files on every node; one SMTP sink receives every mail.
 *
 * Not test-support's `useServerProcess()`, which starts one process with an SMTP server of its own:
 * these files need two started at once on one database and one SMTP sink, and to stop and start that
 * database under them.
 */

/** Why these suites cannot run here (no PostgreSQL), or undefined. */
export const multinodeSkipReason = postgresSkipReason;

export const DATABASE = 'latchkey';

/** A server process (`api(token)` is the contracts' typed client against it) with its LATCHKEY_NODE_NAME. */
export interface LatchkeyNode extends ServerProcess {
  name: string;
}

export interface Nodes {
  pg: PostgresCluster;
  smtp: SmtpSink;
  a: LatchkeyNode;
  b: LatchkeyNode;
  /** [a, b]: requests spread over both, as a load balancer does. */
  all: LatchkeyNode[];
  /** One line of SQL on the nodes' database, through psql (unaligned, tuples only). */
  sql(query: string): string;
  /** Starts another node on the same database and keys (its own data dir). */
  startNode(name: string): Promise<LatchkeyNode>;
  /** Starts `node` again (after a stop or a kill) on its data dir and port. */
  restartNode(node: LatchkeyNode): Promise<LatchkeyNode>;
  /** Fast shutdown of PostgreSQL (its files stay), as an administrator's `systemctl stop postgresql`. */
  stopDatabase(): Promise<void>;
  /** Starts it again on the same port and files. */
  startDatabase(): Promise<void>;
}

export interface NodesOptions {
  /** Extra environment of every node. */
  env?: Record<string, string>;
  /** Raise the per-node HTTP request budgets out of the way (tests that generate load, not tests of those budgets). */
  highRateLimits?: boolean;
}

/**
 * Starts PostgreSQL, an SMTP sink and nodes `node-a` and `node-b` once for the test file (both at
 * once, as after a deploy: the first applies the migrations under the database's advisory lock),
 * and stops everything after it. The returned object is filled in by `beforeAll`.
 */
export function useNodes(options: NodesOptions = {}): Nodes {
  const work = mkdtempSync(join(tmpdir(), 'latchkey-multinode-'));
  const started: LatchkeyNode[] = [];
  const nodes = {} as Nodes;

  beforeAll(async () => {
    const [pg, smtp] = await Promise.all([startPostgres(), startSmtpSink()]);
    nodes.pg = pg;
    nodes.smtp = smtp;
    const shared = writeSharedNodeFiles(work, pg.createDatabase(DATABASE));
    nodes.sql = (query) => pg.psql(query, DATABASE);
    nodes.startNode = async (name) => {
      const proc = await startServerProcess({
        smtpUrl: smtp.url,
        env: {
          ...shared,
          LATCHKEY_NODE_NAME: name,
          ...(options.highRateLimits ? HIGH_RATE_LIMITS : {}),
          ...options.env,
        },
      });
      const node = asNode(proc, name);
      started.push(node);
      return node;
    };
    nodes.restartNode = async (node) => {
      const again = asNode(await node.restart(), node.name);
      started.push(again);
      return again;
    };
    nodes.stopDatabase = () => pg.pause();
    nodes.startDatabase = () => pg.restart();
    const [a, b] = await Promise.all([nodes.startNode('node-a'), nodes.startNode('node-b')]);
    Object.assign(nodes, { a, b, all: [a, b] });
  });

  afterAll(async () => {
    await Promise.all(started.map((node) => node.destroy()));
    await nodes.smtp?.stop();
    await nodes.pg?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  return nodes;
}

function asNode(proc: ServerProcess, name: string): LatchkeyNode {
  return Object.assign(proc, { name });
}

/** Resolves once `check()` is true, polling every 50 ms; fails after `timeoutMs` with `what`. */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
