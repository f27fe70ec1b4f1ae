import {
  OFFLINE_CHALLENGE_LENGTH,
  OFFLINE_CHALLENGE_MINUTES,
  OFFLINE_MAX_WRONG_PER_DAY,
  OFFLINE_MAX_WRONG_RESPONSES,
  OFFLINE_RESPONSE_LENGTH,
  base64UrlToBytes,
  bytesToBase64Url,
  computeOfflineResponse,
  encodeOfflineCode,
  isOfflineCode,
  normalizeOfflineCode,
  offlineUserKey,
  type HmacSha256,
  type OfflineKey,
  type OfflineOffer,
  type OfflineUnlockReport,
} from '@latchkey/contracts';

/**
 * Offline unlock on the Client: the challenge, the local check of the helpdesk's response, and the
 * failure count that must survive a restart. Pure TypeScript: the host injects the HMAC
 * (node:crypto in Electron's main, WebCrypto in the preview), random bytes, the clock, where the
 * key is kept (the OS key store) and the two places the state is kept.
 *
 * The state is MAC'd with the offline key (a local user cannot write a valid one without the key)
 * and written to two places; it loads from whichever valid copy is newest. Deleting one copy
 * changes nothing; deleting or breaking both while a key exists counts as tampering and starts with
 * a long wait. What a local user can still do (roll both copies back together) is in docs/security.md.
 */

export interface OfflineKeyStore {
  load(): OfflineKey | undefined;
  /** false when the OS key store is unavailable (the key is then kept in memory only). */
  save(key: OfflineKey): boolean;
  /**
   * The key is handed over by the computer (the guard, on an installer-enrolled computer), not by
   * the server: it may appear after the lock started, and its first sight has no state yet.
   */
  handedOver?: boolean;
}

/** One place the state is written. */
export interface OfflineSlot {
  read(): string | undefined;
  write(text: string): void;
}

export interface OfflineUnlockOptions {
  osUser: string;
  keys: OfflineKeyStore;
  /** Two places, e.g. a file in the user's profile and a mirror elsewhere. */
  slots: readonly [OfflineSlot, OfflineSlot];
  hmac: HmacSha256;
  randomBytes: (length: number) => Uint8Array;
  now: () => number;
}

interface Challenge {
  value: string;
  osUser: string;
  createdAt: number;
  expiresAt: number;
  wrong: number;
}

/** What is kept, MAC'd, in both slots. */
interface OfflineRecord {
  v: 1;
  /** Grows with every write: the newer of two valid copies wins. */
  seq: number;
  keyVersion: number;
  /** The last policy's allowOfflineUnlock (the Client keeps it for when the server cannot be reached). */
  allowed: boolean;
  challenge?: Challenge;
  /** Challenges burnt since the last successful offline unlock; each makes the next wait longer. */
  burns: number;
  waitUntil?: number;
  tampered?: boolean;
  reports: OfflineUnlockReport[];
  /** When each wrong response of the last 24 hours was given, whatever its challenge. */
  wrongAt?: number[];
}

/** The wait before a new challenge after the nth burnt one: 1, 5, 15, 60, then 240 minutes. */
const WAIT_MINUTES = [1, 5, 15, 60, 240] as const;
export function burnWaitMs(burns: number): number {
  return WAIT_MINUTES[Math.min(Math.max(burns, 1), WAIT_MINUTES.length) - 1]! * 60_000;
}
const DAY_MS = 24 * 60 * 60_000;
/** Both copies gone or broken while a key exists: treated as this many burns. */
const TAMPER_BURNS = 4;

export type OfflineCheck =
  | { ok: true; report: OfflineUnlockReport }
  | { ok: false; reason: 'unavailable' | 'format' | 'expired' | 'waiting' }
  | { ok: false; reason: 'wrong'; attemptsLeft: number }
  | { ok: false; reason: 'burnt'; waitUntil: number };

function sameCode(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** What the offline flow uses: this class, or the guard doing it (guard-link.ts). */
export type OfflineUnlocker = Pick<
  OfflineUnlock,
  | 'keyVersion'
  | 'available'
  | 'pendingReports'
  | 'load'
  | 'reloadKey'
  | 'acceptKey'
  | 'setAllowed'
  | 'peek'
  | 'offer'
  | 'check'
  | 'reported'
>;

export class OfflineUnlock {
  private key: OfflineKey | undefined;
  private record: OfflineRecord | undefined;

  constructor(private readonly options: OfflineUnlockOptions) {}

  get keyVersion(): number {
    return this.key?.version ?? 0;
  }

  /** Whether the lock may offer offline unlock: a key, and the last policy allowed it. */
  get available(): boolean {
    return !!this.key && !!this.record?.allowed;
  }

  get pendingReports(): readonly OfflineUnlockReport[] {
    return this.record?.reports ?? [];
  }

  /** Reads the key and the newest valid copy of the state. */
  async load(): Promise<void> {
    this.key = this.options.keys.load();
    if (!this.key) return;
    let best: OfflineRecord | undefined;
    for (const slot of this.options.slots) {
      const record = await this.open(slot.read());
      if (record && (!best || record.seq > best.seq)) best = record;
    }
    if (best) {
      this.record = best;
      // Bring a deleted or stale copy back in line.
      await this.persist();
      return;
    }
    if (this.options.keys.handedOver) {
      // No enrollment marks the first use of a handed-over key: a missing state starts clean
      // (docs/security.md: deleting both copies here resets the count, like rolling them back).
      this.record = { v: 1, seq: 0, keyVersion: this.key.version, allowed: true, burns: 0, reports: [] };
      await this.persist();
      return;
    }
    const now = this.options.now();
    this.record = { v: 1, seq: 0, keyVersion: this.key.version, allowed: true, burns: TAMPER_BURNS, reports: [], tampered: true };
    this.record.waitUntil = now + burnWaitMs(TAMPER_BURNS);
    await this.persist();
  }

  /** A handed-over key that appeared or changed since the last look is taken; true when one was. */
  async reloadKey(): Promise<boolean> {
    if (!this.options.keys.handedOver) return false;
    const key = this.options.keys.load();
    if (!key || (this.key && this.key.clientId === key.clientId && this.key.version === key.version && this.key.key === key.key))
      return false;
    if (this.key) await this.acceptKey(key);
    else await this.load();
    return true;
  }

  /** A key from the enrollment or the policy. The state carries over, MAC'd under the new key. */
  async acceptKey(key: OfflineKey): Promise<boolean> {
    if (this.key && this.key.version === key.version && this.key.clientId === key.clientId) return true;
    const saved = this.options.keys.save(key);
    this.key = key;
    const previous = this.record;
    this.record = {
      v: 1,
      seq: previous?.seq ?? 0,
      keyVersion: key.version,
      allowed: previous?.allowed ?? true,
      burns: previous?.burns ?? 0,
      reports: previous?.reports ?? [],
      ...(previous?.waitUntil ? { waitUntil: previous.waitUntil } : {}),
    };
    await this.persist();
    return saved;
  }

  /** The last policy's allowOfflineUnlock, kept for the time the server cannot be reached. */
  async setAllowed(allowed: boolean): Promise<void> {
    if (!this.record || this.record.allowed === allowed) return;
    this.record.allowed = allowed;
    await this.persist();
  }

  /** What the lock shows, without making a challenge. */
  peek(): OfflineOffer {
    const now = this.options.now();
    const r = this.record;
    if (r?.waitUntil && r.waitUntil > now) return { attemptsLeft: 0, waitUntil: r.waitUntil };
    const daily = this.dailyWaitUntil(now);
    if (daily) return { attemptsLeft: 0, waitUntil: daily };
    const c = r?.challenge;
    if (c && c.expiresAt > now && c.osUser === offlineUserKey(this.options.osUser)) {
      return { challenge: c.value, expiresAt: c.expiresAt, attemptsLeft: OFFLINE_MAX_WRONG_RESPONSES - c.wrong };
    }
    return { attemptsLeft: OFFLINE_MAX_WRONG_RESPONSES };
  }

  /** The current challenge, or a new one when there is none, it expired, or it was for someone else. */
  async offer(): Promise<OfflineOffer | undefined> {
    if (!this.available || !this.record) return undefined;
    const shown = this.peek();
    if (shown.challenge || shown.waitUntil) return shown;
    const now = this.options.now();
    const value = encodeOfflineCode(this.options.randomBytes(5), OFFLINE_CHALLENGE_LENGTH);
    const expiresAt = now + OFFLINE_CHALLENGE_MINUTES * 60_000;
    // Letting a challenge expire does not reset its wrong responses: the next one of this user starts with them.
    const previous = this.record.challenge;
    const wrong = previous && previous.osUser === offlineUserKey(this.options.osUser) ? previous.wrong : 0;
    this.record.challenge = { value, osUser: offlineUserKey(this.options.osUser), createdAt: now, expiresAt, wrong };
    delete this.record.waitUntil;
    await this.persist();
    return this.peek();
  }

  /**
   * Checks a response. The attempt is counted and written to both copies before the answer is
   * known, so stopping the lock in the middle of a check gains nothing.
   */
  async check(input: string): Promise<OfflineCheck> {
    const r = this.record;
    const key = this.key;
    if (!r || !key || !r.allowed) return { ok: false, reason: 'unavailable' };
    const now = this.options.now();
    if ((r.waitUntil && r.waitUntil > now) || this.dailyWaitUntil(now)) return { ok: false, reason: 'waiting' };
    const code = normalizeOfflineCode(input);
    if (!isOfflineCode(code, OFFLINE_RESPONSE_LENGTH)) return { ok: false, reason: 'format' };
    const c = r.challenge;
    if (!c || c.expiresAt <= now || c.osUser !== offlineUserKey(this.options.osUser)) return { ok: false, reason: 'expired' };

    c.wrong += 1;
    r.wrongAt = [...(r.wrongAt ?? []).filter((at) => now - at < DAY_MS), now];
    await this.persist();
    const expected = await computeOfflineResponse(this.options.hmac, base64UrlToBytes(key.key), {
      clientId: key.clientId,
      osUser: this.options.osUser,
      challenge: c.value,
    });
    if (sameCode(code, expected)) {
      const report: OfflineUnlockReport = {
        osUser: this.options.osUser,
        challenge: c.value,
        challengeIssuedAt: c.createdAt,
        usedAt: now,
        keyVersion: key.version,
      };
      delete r.challenge;
      // The attempt counted above was a right one; the wrong ones of the day stay counted.
      r.wrongAt = r.wrongAt!.slice(0, -1);
      r.burns = 0;
      delete r.tampered;
      r.reports = [...r.reports, report];
      await this.persist();
      return { ok: true, report };
    }
    const daily = this.dailyWaitUntil(now);
    if (c.wrong < OFFLINE_MAX_WRONG_RESPONSES && !daily) {
      return { ok: false, reason: 'wrong', attemptsLeft: OFFLINE_MAX_WRONG_RESPONSES - c.wrong };
    }
    delete r.challenge;
    r.burns += 1;
    r.waitUntil = Math.max(now + burnWaitMs(r.burns), daily ?? 0);
    await this.persist();
    return { ok: false, reason: 'burnt', waitUntil: r.waitUntil };
  }

  /** With OFFLINE_MAX_WRONG_PER_DAY wrong responses in the last 24 hours: when the oldest of them drops out. */
  private dailyWaitUntil(now: number): number | undefined {
    const recent = (this.record?.wrongAt ?? []).filter((at) => now - at < DAY_MS);
    return recent.length >= OFFLINE_MAX_WRONG_PER_DAY ? recent[recent.length - OFFLINE_MAX_WRONG_PER_DAY]! + DAY_MS : undefined;
  }

  /** The server recorded this unlock; it is not reported again. */
  async reported(challenge: string): Promise<void> {
    if (!this.record) return;
    this.record.reports = this.record.reports.filter((report) => report.challenge !== challenge);
    await this.persist();
  }

  // ---- the two MAC'd copies ----

  private async mac(body: string): Promise<string> {
    return bytesToBase64Url(await this.options.hmac(base64UrlToBytes(this.key!.key), `latchkey offline state v1|${body}`));
  }

  private async open(text: string | undefined): Promise<OfflineRecord | undefined> {
    if (!text || !this.key) return undefined;
    try {
      const { body, mac } = JSON.parse(text) as { body: string; mac: string };
      if (typeof body !== 'string' || typeof mac !== 'string' || !sameCode(mac, await this.mac(body))) return undefined;
      const record = JSON.parse(body) as OfflineRecord;
      return record.v === 1 && record.keyVersion === this.key.version ? record : undefined;
    } catch {
      return undefined;
    }
  }

  private async persist(): Promise<void> {
    if (!this.record || !this.key) return;
    this.record.seq += 1;
    const body = JSON.stringify(this.record);
    const text = JSON.stringify({ body, mac: await this.mac(body) });
    for (const slot of this.options.slots) {
      try {
        slot.write(text);
      } catch {
        // One copy that cannot be written still leaves the other.
      }
    }
  }
}
