import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { nativeModuleProblem } from '../db/native-module-check.js';
import { BackupError, restoreDatabase } from '../db/backup.js';
import { DataDirInUseError } from '../db/data-dir-lock.js';
import { BACKUP_IS_SQLITE_ONLY, loadDataConfig } from '../config.js';
import { ConfigError } from '../config-error.js';

const KEY_ADVICE = {
  matches: 'the server key in the data dir opens this backup',
  'nothing-sealed': 'the backup holds no sealed OTPs, so the key could not be compared',
  missing:
    'WARNING: there is no secret.key in the data dir (nor LATCHKEY_SECRET). Copy secret.key from the same backup set before starting: a new key would leave every OTP issued before the backup unverifiable and queued mail unsendable',
  different:
    'WARNING: the server key in the data dir does not open this backup. Put the secret.key of the same backup set in place before starting, or OTPs issued before the backup will not verify and queued mail cannot be sent',
} as const;

/**
 * `npm run restore -- --from FILE [--ignore-checksum]`: restores a backup into the data dir of a
 * stopped server, once FILE matches FILE.sha256 (which `npm run backup` wrote).
 */
async function main(): Promise<void> {
  const problem = nativeModuleProblem();
  if (problem !== null) throw new BackupError(problem);
  const { values } = parseArgs({ options: { from: { type: 'string' }, 'ignore-checksum': { type: 'boolean' } } });
  if (!values.from) throw new BackupError('usage: npm run restore -- --from FILE [--ignore-checksum]');
  const { dataDir, secret, onPostgres } = loadDataConfig();
  if (onPostgres) throw new BackupError(BACKUP_IS_SQLITE_ONLY);
  const ignoreChecksum = values['ignore-checksum'] === true;
  if (ignoreChecksum)
    console.log(`latchkey: WARNING: --ignore-checksum: ${resolve(values.from)} is restored without comparing it with its checksum`);
  const result = await restoreDatabase(dataDir, values.from, secret, { ignoreChecksum });
  const counts = Object.entries(result.counts)
    .map(([table, n]) => `${n} ${table}`)
    .join(', ');
  console.log(`latchkey: restored ${resolve(values.from)} into ${dataDir} (schema ${result.schemaVersion}: ${counts})`);
  if (result.keptAs) console.log(`latchkey: the database it replaced is kept as ${result.keptAs}`);
  console.log(`latchkey: ${KEY_ADVICE[result.key]}`);
  console.log('latchkey: start the server; it applies the migrations this version adds');
}

main().catch((err: unknown) => {
  const known = err instanceof BackupError || err instanceof DataDirInUseError || err instanceof ConfigError;
  console.error(`latchkey restore: refused: ${known || err instanceof Error ? (err as Error).message : String(err)}`);
  process.exit(1);
});
