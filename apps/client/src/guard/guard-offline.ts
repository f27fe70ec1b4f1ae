import {
  base64UrlToBytes,
  bytesToBase64Url,
  deriveOfflineUserKey,
  offlineUserKey,
  type HmacSha256,
  type OfflineCheckResult,
  type OfflineKey,
  type OfflineOffer,
  type OfflineUnlockReport,
} from '@latchkey/contracts';
import { OfflineUnlock } from '../lock/offline-unlock.js';
import type { SystemStorage } from './guard-host.js';

/**
 * Offline unlock checked by the guard: the response codes are computed from the machine offline
 * key, which only SYSTEM and Administrators can read, so holding a Windows password is not enough
 * to make one. Each user's challenge and wrong-answer count live in two MAC'd files of the guard's
 * SYSTEM-only storage (the same OfflineUnlock the lock used, with the guard's storage as its slots),
 * so they survive a restart of the guard and no user can roll them back.
 */
export class GuardOffline {
  private readonly users = new Map<string, Promise<OfflineUnlock | undefined>>();
  private readonly loaded = new Set<OfflineUnlock>();

  constructor(
    private readonly options: {
      storage: SystemStorage;
      hmac: HmacSha256;
      randomBytes: (length: number) => Uint8Array;
      now: () => number;
      machineKey: () => OfflineKey | undefined;
      allowed: () => boolean;
    },
  ) {}

  get enabled(): boolean {
    return !!this.options.machineKey() && this.options.allowed();
  }

  /** The user's state, loaded once per run of the guard (the key and the setting are read again each time). */
  private async forUser(osUser: string): Promise<OfflineUnlock | undefined> {
    const machine = this.options.machineKey();
    if (!machine) return undefined;
    const tag = `${offlineUserKey(osUser)}|${machine.clientId}|${machine.version}`;
    let loading = this.users.get(tag);
    if (!loading) {
      loading = this.load(osUser, machine);
      this.users.set(tag, loading);
    }
    const unlock = await loading;
    await unlock?.setAllowed(this.options.allowed());
    return unlock;
  }

  private async load(osUser: string, machine: OfflineKey): Promise<OfflineUnlock | undefined> {
    const { hmac, storage } = this.options;
    // The key of this user's responses (what the server computes for a machine Client); it never leaves the guard.
    const userKey: OfflineKey = {
      clientId: machine.clientId,
      version: machine.version,
      key: bytesToBase64Url(await deriveOfflineUserKey(hmac, base64UrlToBytes(machine.key), machine.clientId, osUser)),
    };
    const name = Array.from(
      (await hmac(base64UrlToBytes(machine.key), `latchkey guard file|${offlineUserKey(osUser)}`)).slice(0, 10),
      (b) => b.toString(16).padStart(2, '0'),
    ).join('');
    const slot = (suffix: string) => ({
      read: () => storage.read(`offline-${name}-${suffix}.json`),
      write: (text: string) => storage.write(`offline-${name}-${suffix}.json`, text),
    });
    const unlock = new OfflineUnlock({
      osUser,
      keys: { load: () => userKey, save: () => true, handedOver: true },
      slots: [slot('a'), slot('b')],
      hmac,
      randomBytes: this.options.randomBytes,
      now: this.options.now,
    });
    await unlock.load();
    this.loaded.add(unlock);
    return unlock;
  }

  async offer(osUser: string): Promise<OfflineOffer | undefined> {
    return (await this.forUser(osUser))?.offer();
  }

  async check(osUser: string, responseCode: string): Promise<OfflineCheckResult> {
    const unlock = await this.forUser(osUser);
    if (!unlock) return { ok: false, reason: 'unavailable' };
    const result = await unlock.check(responseCode);
    if (result.ok) return { ok: true };
    return {
      ok: false,
      reason: result.reason,
      ...('attemptsLeft' in result ? { attemptsLeft: result.attemptsLeft } : {}),
      ...('waitUntil' in result ? { waitUntil: result.waitUntil } : {}),
    };
  }

  /** Unlocks checked by this guard and not yet reported, of every user it has loaded. */
  pendingReports(): OfflineUnlockReport[] {
    return [...this.loaded].flatMap((unlock) => [...unlock.pendingReports]);
  }

  async reported(report: OfflineUnlockReport): Promise<void> {
    for (const unlock of this.loaded) if (unlock.pendingReports.includes(report)) await unlock.reported(report.challenge);
  }
}
