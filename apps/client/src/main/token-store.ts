import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SafeStorage } from 'electron';
import type { RequestStore, SavedRequest } from '../lock/lock-controller.js';

/**
 * The clientToken, encrypted with Electron's safeStorage (DPAPI on Windows, the keyring on Linux).
 * Where only the "basic_text" fallback exists the token is not written at all: the Client enrolls
 * again at its next start rather than leave a readable token on disk.
 */
export function createTokenStore(userDataDir: string, safeStorage: SafeStorage, platform: NodeJS.Platform = process.platform) {
  const file = join(userDataDir, 'client-token.bin');
  const usable = () =>
    safeStorage.isEncryptionAvailable() && !(platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text');
  return {
    load(): string | undefined {
      if (!usable()) return undefined;
      try {
        return safeStorage.decryptString(readFileSync(file));
      } catch {
        return undefined;
      }
    },
    save(token: string): boolean {
      if (!usable()) return false;
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, safeStorage.encryptString(token), { mode: 0o600 });
      return true;
    },
    clear(): void {
      rmSync(file, { force: true });
    },
  };
}

/** The last OTP request (id and email only, nothing secret), so "Resend" survives a restart. */
export function createRequestFileStore(userDataDir: string): RequestStore {
  const file = join(userDataDir, 'last-request.json');
  return {
    load() {
      try {
        const value = JSON.parse(readFileSync(file, 'utf8')) as SavedRequest;
        return typeof value.requestId === 'string' && typeof value.email === 'string' ? value : undefined;
      } catch {
        return undefined;
      }
    },
    save(value) {
      if (!value) return rmSync(file, { force: true });
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(value), { mode: 0o600 });
    },
  };
}
