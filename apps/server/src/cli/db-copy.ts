import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { loadDataConfig } from '../config.js';
import { ConfigError } from '../config-error.js';
import { secretFingerprint } from '../crypto/key-fingerprints.js';
import { SECRET_KEY_FILE } from '../crypto/secret-key.js';
import { SIGNING_KEY_FILE, signingKeyFingerprint, signingKeyProblem } from '../crypto/signing-key.js';
import { dataDirHolder } from '../db/data-dir-lock.js';
import { DatabaseTooNewError, loadMigrations } from '../db/database.js';
import { nativeModuleProblem } from '../db/native-module-check.js';
import { parseDatabaseUrl } from '../db/postgres/database-url.js';
import { migratePostgres, POSTGRES_MIGRATIONS_DIR } from '../db/postgres/migrate.js';

const USAGE =
  'usage: npm run db:copy -- --from <sqlite file> [--to <postgres url>] [--batch-rows N] (without --to: LATCHKEY_DATABASE_URL or _FILE)';
/** PostgreSQL takes at most 65535 parameters in one statement; a batch stays well below. */
const MAX_PARAMETERS = 30_000;
const DEFAULT_BATCH_ROWS = 1000;
/** Kept by the migration runner (SQLite keeps its level in user_version instead). */
const POSTGRES_ONLY = new Set(['schema_version']);

/** The copy was refused before anything was written: exit 78, like a server refusing its configuration. */
class CopyRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyRefused';
  }
}

interface ForeignKey {
  table: string;
  from: string[];
}

interface SourceTable {
  name: string;
  columns: string[];
  primaryKey: string[];
  foreignKeys: ForeignKey[];
}

/** Column types this copy converts; anything else in the target is a schema it does not know. */
const TARGET_TYPES = new Set(['int8', 'int4', 'text', 'citext', 'bytea']);

/** A SQLite identifier read from sqlite_schema, quoted for the statements that name it. */
const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The tables of the SQLite database with their columns and foreign keys, read from the database itself. */
function readSourceSchema(db: Database.Database): SourceTable[] {
  const names = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'")
    .all()
    .map((r) => r.name);
  return names.map((name) => {
    const columns = db.pragma(`table_info(${quoted(name)})`) as { name: string; pk: number }[];
    const keys = db.pragma(`foreign_key_list(${quoted(name)})`) as { id: number; table: string; from: string }[];
    const byId = new Map<number, ForeignKey>();
    for (const key of keys) {
      const fk = byId.get(key.id) ?? { table: key.table, from: [] };
      fk.from.push(key.from);
      byId.set(key.id, fk);
    }
    const primaryKey = columns
      .filter((c) => c.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((c) => c.name);
    return { name, columns: columns.map((c) => c.name), primaryKey, foreignKeys: [...byId.values()] };
  });
}

/** Referenced tables before the tables that refer to them; a cycle between tables cannot be copied in order. */
function foreignKeyOrder(tables: SourceTable[]): SourceTable[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const ordered: SourceTable[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (table: SourceTable, path: string[]) => {
    if (state.get(table.name) === 'done') return;
    if (state.get(table.name) === 'visiting')
      throw new Error(`the tables' foreign keys form a cycle: ${[...path, table.name].join(' -> ')}`);
    state.set(table.name, 'visiting');
    for (const fk of table.foreignKeys) {
      if (fk.table === table.name) continue; // a self-reference: filled in after the table (copyTable)
      const parent = byName.get(fk.table);
      if (!parent) throw new Error(`${table.name} refers to ${fk.table}, which the SQLite database does not have`);
      visit(parent, [...path, table.name]);
    }
    state.set(table.name, 'done');
    ordered.push(table);
  };
  for (const table of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(table, []);
  return ordered;
}

type Row = Record<string, unknown>;
type TargetColumn = { table: string; column: string; type: string; identity: 'YES' | 'NO' };

/**
 * Copies one table's rows in batched multi-row inserts, streamed. Columns that refer to the same
 * table (a cancelled request naming the later one that used its interval waiver) go in as NULL and
 * are set once every row is in: PostgreSQL checks a foreign key at the end of each statement, and a
 * row must not name one of a later batch.
 */
async function copyTable(db: Database.Database, tx: postgres.TransactionSql, table: SourceTable, maxBatchRows: number): Promise<void> {
  const batchRows = Math.max(1, Math.min(maxBatchRows, Math.floor(MAX_PARAMETERS / table.columns.length)));
  const selfColumns = [...new Set(table.foreignKeys.filter((fk) => fk.table === table.name).flatMap((fk) => fk.from))];
  if (selfColumns.length > 0 && table.primaryKey.length === 0) throw new Error(`${table.name} refers to itself but has no primary key`);
  const insert = async (rows: Row[]) => {
    if (rows.length > 0) await tx`INSERT INTO ${tx(table.name)} ${tx(rows, table.columns)}`;
  };
  // Integers as BigInt: no millisecond timestamp or id is rounded on its way through a double.
  const rows = db.prepare(`SELECT * FROM ${quoted(table.name)}`).safeIntegers(true);
  let batch: Row[] = [];
  for (const row of rows.iterate() as IterableIterator<Row>) {
    for (const column of selfColumns) row[column] = null;
    batch.push(row);
    if (batch.length === batchRows) {
      await insert(batch);
      batch = [];
    }
  }
  await insert(batch);
  if (selfColumns.length === 0) return;

  const pointers = db
    .prepare(
      `SELECT ${[...table.primaryKey, ...selfColumns].map(quoted).join(', ')} FROM ${quoted(table.name)}
        WHERE ${selfColumns.map((c) => `${quoted(c)} IS NOT NULL`).join(' OR ')}`,
    )
    .safeIntegers(true);
  for (const row of pointers.iterate() as IterableIterator<Row>) {
    const where = table.primaryKey
      .map((column) => tx`${tx(column)} = ${row[column] as string}`)
      .reduce((all, one) => tx`${all} AND ${one}`);
    await tx`UPDATE ${tx(table.name)} SET ${tx(row, selfColumns)} WHERE ${where}`;
  }
}

/** The URL without its password, and any text with the password taken out (driver errors, just in case). */
function redactor(url: string): (text: string) => string {
  const userInfo = /^[a-z]+:\/\/([^@/?#]*)@/i.exec(url)?.[1] ?? '';
  const colon = userInfo.indexOf(':');
  const raw = colon < 0 ? '' : userInfo.slice(colon + 1);
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    // badly escaped: parseDatabaseUrl refuses it
  }
  const secrets = [raw, decoded].filter((s) => s.length > 0);
  return (text) => secrets.reduce((out, secret) => out.split(secret).join('***'), text);
}

interface CopyResult {
  version: number;
  counts: { table: string; rows: number }[];
  identities: string[];
  /** key_fingerprints as copied: name → fingerprint. */
  fingerprints: Map<string, string>;
}

const rowsOf = (n: number) => `${n} ${n === 1 ? 'row' : 'rows'}`;

/**
 * The keys the nodes should start with (LATCHKEY_SECRET(_FILE) and LATCHKEY_SIGNING_KEY_FILE when
 * set, as a node reads them, else the files of the data dir), and whether each is the key the copied
 * database records: the operator learns it here, not from a node that refuses to start.
 */
function keyAdvice(dataDir: string, recorded: Map<string, string>): string[] {
  const named = loadDataConfig(); // checked before the copy
  const fromEnv = named.secret;
  const secretFile = named.secretFile ?? join(dataDir, SECRET_KEY_FILE);
  const signingFile = named.signingKeyFile ?? join(dataDir, SIGNING_KEY_FILE);
  const verdict = (name: string, fingerprint: () => string | undefined) => {
    const mine = fingerprint();
    if (mine === undefined) return 'WARNING: not found, or not a key: start the nodes with the key the server ran with';
    if (!recorded.has(name)) return 'the database records none yet: the first node records it';
    return recorded.get(name) === mine ? 'the key this database records' : 'WARNING: not the key this database records';
  };
  const secret = verdict('secret', () => {
    if (fromEnv) return secretFingerprint(fromEnv);
    if (!existsSync(secretFile)) return undefined;
    const key = Buffer.from(readFileSync(secretFile, 'utf8').trim(), 'base64');
    return key.length === 32 ? secretFingerprint(key) : undefined;
  });
  const signing = verdict('signing', () => {
    if (!existsSync(signingFile)) return undefined;
    const pem = readFileSync(signingFile, 'utf8');
    return signingKeyProblem(pem) ? undefined : signingKeyFingerprint(pem);
  });
  return [
    `${fromEnv && !named.secretFile ? 'LATCHKEY_SECRET' : `LATCHKEY_SECRET_FILE=${secretFile}`} (${secret})`,
    `LATCHKEY_SIGNING_KEY_FILE=${signingFile} (${signing})`,
  ];
}

/** Refuses a database that a running server holds: rows it writes after the copy would be lost. */
function refuseWhileServed(sourceFile: string): void {
  const holder = dataDirHolder(dirname(sourceFile));
  if (holder !== undefined) {
    throw new CopyRefused(
      `a Latchkey server (pid ${holder}) is running on ${dirname(sourceFile)} and writing ${sourceFile}; stop it first, so the copy holds every row it wrote`,
    );
  }
}

/**
 * The database file (and the WAL a crash may have left beside it) copied into a private temp dir,
 * to be read there: opening the file itself, even read-only, leaves -wal and -shm files beside it
 * owned by whoever runs the copy (root, as a rule), which the server's own user cannot then open.
 * The data dir is left exactly as it was.
 */
function privateCopy(sourceFile: string): { file: string; remove: () => void } {
  refuseWhileServed(sourceFile);
  if (!existsSync(sourceFile)) throw new CopyRefused(`${sourceFile} does not exist`);
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-db-copy-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const file = join(dir, 'source.db');
    copyFileSync(sourceFile, file);
    if (existsSync(`${sourceFile}-wal`)) copyFileSync(`${sourceFile}-wal`, `${file}-wal`);
    // A server that started while the files were copied may have torn them.
    refuseWhileServed(sourceFile);
    return { file, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

async function copy(sourceFile: string, url: string, maxBatchRows: number, log: (line: string) => void): Promise<CopyResult> {
  const snapshot = privateCopy(sourceFile);
  let db: Database.Database;
  try {
    db = new Database(snapshot.file, { readonly: true, fileMustExist: true });
    db.pragma('schema_version');
  } catch {
    snapshot.remove();
    throw new CopyRefused(`${sourceFile} cannot be opened as a SQLite database`);
  }
  const target = postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: 'latchkey db:copy' } });
  try {
    const known = loadMigrations().at(-1)?.version ?? 0;
    const knownOnPostgres = loadMigrations(POSTGRES_MIGRATIONS_DIR).at(-1)?.version ?? 0;
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === 0) throw new CopyRefused(`${sourceFile} is not a Latchkey database (it has no schema version)`);
    if (version !== known) {
      throw new CopyRefused(
        version > known
          ? `${sourceFile} is at schema version ${version}, newer than this Latchkey knows (${known}): copy it with the version that wrote it`
          : `${sourceFile} is at schema version ${version}, and this Latchkey copies version ${known}: start this version's server on it once (it migrates at start), stop it, then copy`,
      );
    }
    if (knownOnPostgres !== known) {
      throw new CopyRefused(
        `this build's PostgreSQL migrations reach version ${knownOnPostgres}, its SQLite ones ${known}: use a build where they match`,
      );
    }
    if (db.pragma('quick_check', { simple: true }) !== 'ok')
      throw new CopyRefused(`${sourceFile} fails SQLite's quick_check: it is damaged`);
    const dangling = db.pragma('foreign_key_check') as unknown[];
    if (dangling.length > 0) throw new CopyRefused(`${sourceFile} has ${dangling.length} rows that refer to rows it does not have`);
    const tables = foreignKeyOrder(readSourceSchema(db));

    // Before migrating: a database with rows in it is someone's data (perhaps a node already started on it).
    const refuseRows = async (sql: postgres.Sql | postgres.TransactionSql) => {
      const existing = await sql<
        { name: string }[]
      >`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`;
      const withRows: string[] = [];
      for (const { name } of existing) {
        if (POSTGRES_ONLY.has(name)) continue;
        const [row] = await sql<{ any: boolean }[]>`SELECT EXISTS (SELECT 1 FROM ${sql(name)}) AS any`;
        if (row!.any) withRows.push(name);
      }
      if (withRows.length > 0) {
        throw new CopyRefused(
          `the target database is not empty (rows in ${withRows.join(', ')}): db:copy fills only an empty database; create a new one (CREATE DATABASE … OWNER …) and copy into that`,
        );
      }
    };
    await refuseRows(target);
    try {
      await migratePostgres(target);
    } catch (err) {
      if (err instanceof DatabaseTooNewError) throw new CopyRefused(`the target database: ${err.message}`);
      throw err;
    }

    const counts: CopyResult['counts'] = [];
    const identities: string[] = [];
    // One read transaction on SQLite (one snapshot), one write transaction on PostgreSQL: all or nothing.
    db.exec('BEGIN');
    try {
      await target.begin(async (tx) => {
        const columns = await tx<TargetColumn[]>`
          SELECT table_name AS table, column_name AS column, udt_name AS type, is_identity AS identity
            FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`;
        const targetTables = new Map<string, TargetColumn[]>();
        for (const c of columns) {
          if (POSTGRES_ONLY.has(c.table)) continue;
          targetTables.set(c.table, [...(targetTables.get(c.table) ?? []), c]);
        }
        const onlySource = tables.filter((t) => !targetTables.has(t.name)).map((t) => t.name);
        const onlyTarget = [...targetTables.keys()].filter((name) => !tables.some((t) => t.name === name));
        if (onlySource.length > 0 || onlyTarget.length > 0) {
          throw new Error(
            `the two schemas differ: ${[
              onlySource.length > 0 ? `only in SQLite: ${onlySource.join(', ')}` : '',
              onlyTarget.length > 0 ? `only in PostgreSQL: ${onlyTarget.join(', ')}` : '',
            ]
              .filter(Boolean)
              .join('; ')}`,
          );
        }
        for (const table of tables) {
          const targetColumns = targetTables.get(table.name)!;
          const mismatch = [
            ...table.columns.filter((c) => !targetColumns.some((t) => t.column === c)).map((c) => `${c} only in SQLite`),
            ...targetColumns.filter((t) => !table.columns.includes(t.column)).map((t) => `${t.column} only in PostgreSQL`),
            ...targetColumns
              .filter((t) => !TARGET_TYPES.has(t.type))
              .map((t) => `${t.column} is ${t.type}, which db:copy does not convert`),
          ];
          if (mismatch.length > 0) throw new Error(`the two schemas differ in ${table.name}: ${mismatch.join(', ')}`);
        }
        // Nobody writes into the tables while they fill (a node started too early waits, then finds them full).
        for (const table of tables) await tx`LOCK TABLE ${tx(table.name)} IN ACCESS EXCLUSIVE MODE`;
        await refuseRows(tx);

        for (const table of tables) {
          await copyTable(db, tx, table, maxBatchRows);

          // Ids the next insert takes: past every copied one.
          for (const column of targetTables.get(table.name)!.filter((c) => c.identity === 'YES')) {
            const [row] = await tx<{ next: string }[]>`
              SELECT setval(pg_get_serial_sequence(${table.name}, ${column.column}), coalesce(max(${tx(column.column)}), 0) + 1, false) AS next
                FROM ${tx(table.name)}`;
            identities.push(`${table.name}.${column.column} continues at ${row!.next}`);
          }

          const source = Number(
            (db
              .prepare(`SELECT count(*) FROM ${quoted(table.name)}`)
              .pluck()
              .get() as number | bigint) ?? 0,
          );
          const [copied] = await tx<{ n: string }[]>`SELECT count(*) AS n FROM ${tx(table.name)}`;
          if (Number(copied!.n) !== source) {
            throw new Error(`${table.name}: ${source} rows in SQLite but ${copied!.n} in PostgreSQL after the copy; nothing was committed`);
          }
          counts.push({ table: table.name, rows: source });
          log(`latchkey: ${table.name.padEnd(20)} ${rowsOf(source).padStart(13)} copied, counts equal`);
        }
      });
    } finally {
      db.exec('COMMIT');
    }
    const fingerprints = new Map(
      db
        .prepare<[], { name: string; fingerprint: string }>('SELECT name, fingerprint FROM key_fingerprints')
        .all()
        .map((r) => [r.name, r.fingerprint]),
    );
    return { version, counts, identities, fingerprints };
  } finally {
    db.close();
    snapshot.remove();
    await target.end({ timeout: 5 });
  }
}

/**
 * `npm run db:copy -- --from <sqlite file> --to <postgres url>`: moves a stopped deployment from
 * SQLite to PostgreSQL. Every table the SQLite database has, in foreign-key order, in one
 * transaction, into an empty database migrated to the same version; the key fingerprints go as they
 * are, so nodes started with the same secret and signing keys pass their check and enrolled Clients
 * keep working. Without --to it reads LATCHKEY_DATABASE_URL (or _FILE), which keeps the password out
 * of the process list.
 */
async function main(): Promise<void> {
  const problem = nativeModuleProblem();
  if (problem !== null) throw new CopyRefused(problem);
  let values;
  try {
    ({ values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' }, 'batch-rows': { type: 'string' } } }));
  } catch (err) {
    throw new CopyRefused(`${(err as Error).message}\n${USAGE}`);
  }
  if (!values.from) throw new CopyRefused(USAGE);
  const batchRows = Number(values['batch-rows'] ?? DEFAULT_BATCH_ROWS);
  if (!Number.isInteger(batchRows) || batchRows < 1) throw new CopyRefused(`--batch-rows must be a whole number from 1\n${USAGE}`);
  const url = values.to ?? loadDataConfig().databaseUrl;
  if (!url) throw new CopyRefused(USAGE);
  redact = redactor(url);
  const target = parseDatabaseUrl(url, values.to ? '--to' : 'LATCHKEY_DATABASE_URL');
  const source = resolve(values.from);
  loadDataConfig(); // a LATCHKEY_SECRET(_FILE) that is set but unusable is refused before the copy, not after
  console.log(`latchkey: copying ${source} into ${target.redacted}`);
  const result = await copy(source, target.url, batchRows, (line) => console.log(redact(line)));
  const total = result.counts.reduce((sum, c) => sum + c.rows, 0);
  console.log(
    `latchkey: copied ${rowsOf(total)} in ${result.counts.length} tables at schema version ${result.version}; every count checked`,
  );
  for (const line of result.identities) console.log(`latchkey: ${line}`);
  console.log(
    "latchkey: the key fingerprints are copied as recorded: start every node with this deployment's keys (a node with others refuses to start):",
  );
  for (const line of keyAdvice(dirname(source), result.fingerprints)) console.log(`latchkey:   ${line}`);
  console.log('latchkey: and LATCHKEY_DATABASE_URL_FILE, a file holding the URL (docs/operations.md, Moving from SQLite to PostgreSQL)');
}

let redact = (text: string) => text;

main().catch((err: unknown) => {
  const refused = err instanceof CopyRefused || err instanceof ConfigError;
  const message = err instanceof Error ? err.message : String(err);
  console.error(redact(`latchkey db:copy: ${refused ? 'refused' : 'failed (no row was committed to the target)'}: ${message}`));
  process.exit(refused ? 78 : 1);
});
