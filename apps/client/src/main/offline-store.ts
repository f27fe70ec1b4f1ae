import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SafeStorage } from 'electron';
import { isOfflineKey, type HmacSha256 } from '@latchkey/contracts';
import type { OfflineKeyStore, OfflineSlot } from '../lock/offline-unlock.js';
import { parseOfflineKeyFile } from './machine-enrollment.js';
import { sealedJsonFile } from './token-store.js';

export const nodeHmacSha256: HmacSha256 = async (key, message) =>
  new Uint8Array(createHmac('sha256', key).update(message, 'utf8').digest());
export const nodeRandomBytes = (length: number) => new Uint8Array(randomBytes(length));

/**
 * The offline key, encrypted with safeStorage like the clientToken (DPAPI on Windows, the keyring on
 * Linux). Without a usable key store it is not written: offline unlock then lasts until the lock exits.
 */
export function createOfflineKeyStore(
  userDataDir: string,
  safeStorage: SafeStorage,
  platform: NodeJS.Platform = process.platform,
): OfflineKeyStore {
  const sealed = sealedJsonFile(join(userDataDir, 'offline-key.bin'), safeStorage, platform);
  return {
    load() {
      const value = sealed.load();
      return isOfflineKey(value) ? value : undefined;
    },
    save: (key) => sealed.save(key),
  };
}

/**
 * The key of a lock on an installer-enrolled computer: the file the guard wrote for this user
 * (machine-enrollment.ts), which the user may read but not change. Read at each look, since the
 * guard may write it after the lock started; never written here.
 */
export function createHandedOverKeyStore(file: string, read: (file: string) => string | undefined = readText): OfflineKeyStore {
  return { handedOver: true, load: () => parseOfflineKeyFile(read(file)), save: () => false };
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** A state copy in one file, replaced whole (write then rename) so a crash leaves the old or the new one. */
export function fileSlot(file: string): OfflineSlot {
  return {
    read: () => readText(file),
    write(text) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    },
  };
}

/**
 * The two copies of the offline state: one in the profile's userData, one outside it (appData), named
 * after the profile so two users of one computer do not share it.
 */
export function offlineSlots(userDataDir: string, appDataDir: string): [OfflineSlot, OfflineSlot] {
  const tag = createHash('sha256').update(userDataDir).digest('hex').slice(0, 16);
  return [fileSlot(join(userDataDir, 'offline-state.json')), fileSlot(join(appDataDir, 'Latchkey Offline', `${tag}.json`))];
}
