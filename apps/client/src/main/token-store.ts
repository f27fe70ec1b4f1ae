import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SafeStorage } from 'electron';
import type { VerdictFailure } from '@latchkey/contracts';
import { parseVerdictFailures } from '../lock/verdict.js';
import type { PolicyStore, RequestStore, SavedRequest } from '../lock/lock-controller.js';
import { keptPolicy } from '../lock/lock-decision.js';

/** What enrollment gave this Client: its token, its id and the server's verdict-signing key. */
export interface Enrollment {
  clientToken: string;
  clientId: string;
  serverPublicKey: string;
  /** Set by the guard (enrollGuard); a guard token saved before roles existed is enrolled again. */
  role?: 'guard';
}

function parseEnrollment(text: string): Enrollment | undefined {
  try {
    const value = JSON.parse(text) as Partial<Enrollment>;
    const ok = [value.clientToken, value.clientId, value.serverPublicKey].every((v) => typeof v === 'string' && v.length > 0);
    return ok ? (value as Enrollment) : undefined;
  } catch {
    // A v1.0 file holds only the token: without the server key it cannot check verdicts, so it enrolls again.
    return undefined;
  }
}

/**
 * The enrollment (clientToken, clientId, server key), encrypted with Electron's safeStorage (DPAPI on
 * Windows, the keyring on Linux). Where only the "basic_text" fallback exists it is not written at
 * all: the Client enrolls again at its next start rather than leave a readable token on disk.
 */
export function createTokenStore(userDataDir: string, safeStorage: SafeStorage, platform: NodeJS.Platform = process.platform) {
  const file = join(userDataDir, 'client-token.bin');
  const usable = () =>
    safeStorage.isEncryptionAvailable() && !(platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text');
  return {
    load(): Enrollment | undefined {
      if (!usable()) return undefined;
      try {
        return parseEnrollment(safeStorage.decryptString(readFileSync(file)));
      } catch {
        return undefined;
      }
    },
    save(enrollment: Enrollment): boolean {
      if (!usable()) return false;
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, safeStorage.encryptString(JSON.stringify(enrollment)), { mode: 0o600 });
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

/** Refused unlock answers not yet reported to the server (nothing secret: user, reason, time). */
export function createVerdictFailureFileStore(userDataDir: string) {
  const file = join(userDataDir, 'verdict-failures.json');
  return {
    load(): VerdictFailure[] {
      try {
        return parseVerdictFailures(JSON.parse(readFileSync(file, 'utf8')));
      } catch {
        return [];
      }
    },
    save(failures: VerdictFailure[]): void {
      if (failures.length === 0) return rmSync(file, { force: true });
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(failures), { mode: 0o600 });
    },
  };
}

/**
 * A JSON value in a file encrypted with safeStorage (DPAPI on Windows, the keyring on Linux). Where
 * only the "basic_text" fallback exists nothing is written or read: a readable copy is worse than none.
 */
export function sealedJsonFile(file: string, safeStorage: SafeStorage, platform: NodeJS.Platform = process.platform) {
  const usable = () =>
    safeStorage.isEncryptionAvailable() && !(platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text');
  return {
    load(): unknown {
      if (!usable()) return undefined;
      try {
        return JSON.parse(safeStorage.decryptString(readFileSync(file)));
      } catch {
        return undefined;
      }
    },
    save(value: unknown): boolean {
      if (!usable()) return false;
      try {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, safeStorage.encryptString(JSON.stringify(value)), { mode: 0o600 });
        return true;
      } catch {
        return false;
      }
    },
  };
}

/**
 * The last policy from the server, sealed like the token: read at a start without the server, for
 * `.\\name` break-glass accounts and the company's words.
 */
export function createPolicyStore(
  userDataDir: string,
  safeStorage: SafeStorage,
  platform: NodeJS.Platform = process.platform,
): PolicyStore {
  const sealed = sealedJsonFile(join(userDataDir, 'policy.bin'), safeStorage, platform);
  return {
    load: () => keptPolicy(sealed.load()),
    save(policy) {
      const { offlineKey: _secret, ...kept } = policy;
      sealed.save(kept);
    },
  };
}
