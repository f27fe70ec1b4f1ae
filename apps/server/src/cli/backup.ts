import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { nativeModuleProblem } from '../db/native-module-check.js';
import { BackupError, backupDatabase, checksumFile } from '../db/backup.js';
import { BACKUP_IS_SQLITE_ONLY, loadDataConfig } from '../config.js';

/** `npm run backup -- --to FILE`: a consistent copy of the database while the server runs. */
async function main(): Promise<void> {
  const problem = nativeModuleProblem();
  if (problem !== null) throw new BackupError(problem);
  const { values } = parseArgs({ options: { to: { type: 'string' } } });
  if (!values.to) throw new BackupError('usage: npm run backup -- --to FILE');
  const { dataDir, onPostgres } = loadDataConfig();
  if (onPostgres) throw new BackupError(BACKUP_IS_SQLITE_ONLY);
  const summary = await backupDatabase(dataDir, values.to);
  const counts = Object.entries(summary.counts)
    .map(([table, n]) => `${n} ${table}`)
    .join(', ');
  console.log(`latchkey: backed up ${dataDir} to ${resolve(values.to)} (schema ${summary.schemaVersion}: ${counts})`);
  console.log(
    `latchkey: its SHA-256 is in ${checksumFile(resolve(values.to))} (${summary.sha256}); keep the two together: restore checks it`,
  );
  console.log(
    'latchkey: keep it together with secret.key and signing.key from the same data dir (or LATCHKEY_SECRET and LATCHKEY_SIGNING_KEY_FILE): without the first the OTPs and queued mail in it cannot be used, and a server refuses to start on it with other keys',
  );
}

main().catch((err: unknown) => {
  console.error(`latchkey backup: ${err instanceof BackupError ? err.message : err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
