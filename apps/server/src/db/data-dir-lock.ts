import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const PID_FILE = 'latchkey.pid';

export class DataDirInUseError extends Error {
  constructor(
    readonly pid: number,
    readonly file: string,
  ) {
    super(`a Latchkey server (pid ${pid}) is running on this data dir; stop it first (if none runs, delete ${file})`);
    this.name = 'DataDirInUseError';
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else, which still means it is running.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of another live process that holds `dataDir`, or undefined. A file left by a dead process does not count. */
export function dataDirHolder(dataDir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, PID_FILE), 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
  return isRunning(pid) ? pid : undefined;
}

/**
 * Marks `dataDir` as this process's: a second server, and `npm run restore`, refuse it while we run.
 * Returns the release function (called at close).
 */
export function claimDataDir(dataDir: string): () => void {
  const file = join(dataDir, PID_FILE);
  const holder = dataDirHolder(dataDir);
  if (holder !== undefined) throw new DataDirInUseError(holder, file);
  writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  return () => {
    try {
      if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
    } catch {
      // already gone
    }
  };
}
