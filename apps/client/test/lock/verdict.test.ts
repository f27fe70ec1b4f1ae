import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ApiError,
  base64UrlDecode,
  base64UrlEncode,
  utf8Bytes,
  verdictMessage,
  type ApiClient,
  type VerdictFailure,
} from '@latchkey/contracts';
import { checkVerdict, createVerdictHook, parseVerdictFailures } from '../../src/lock/verdict.js';
import { nodeEd25519Verify, nodeRandomBytes } from '../../src/main/node-ed25519.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const PUBLIC = publicKey.export({ format: 'jwk' }).x!;
const NOW = Date.UTC(2026, 0, 5, 9, 0, 0);

function signed(fields: { clientId: string; osUser: string; nonce: string; sessionId: string; time: number }) {
  return {
    allowed: true as const,
    sessionId: fields.sessionId,
    verdict: { time: fields.time, signature: sign(null, verdictMessage(fields), privateKey).toString('base64url') },
  };
}

describe('the verdict bytes (docs/security.md)', () => {
  it('are the context, clientId, NFC osUser, nonce and sessionId, each length-prefixed, then the time as u64 big-endian', () => {
    const bytes = verdictMessage({ clientId: 'c1', osUser: 'CORP\\Jose\u0301', nonce: 'n', sessionId: 's', time: 2 ** 40 + 5 });
    const str = (s: string) => {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      return Buffer.concat([len, b]);
    };
    const time = Buffer.alloc(8);
    time.writeBigUInt64BE(BigInt(2 ** 40 + 5));
    const expected = Buffer.concat([str('latchkey verdict v1'), str('c1'), str('CORP\\Jos\u00e9'), str('n'), str('s'), time]);
    expect(Buffer.from(bytes).equals(expected)).toBe(true);
  });

  it('encode UTF-8 and base64url exactly as Node does', () => {
    const samples = ['', 'a', 'CORP\\alice', 'Jos\u00e9', 'Jose\u0301', '\u20ac', '\u{1f512} lock', '\u7ba1\u7406\u8005', '\u0000'];
    for (const sample of samples) expect(Buffer.from(utf8Bytes(sample)).equals(Buffer.from(sample, 'utf8'))).toBe(true);
    for (let length = 0; length < 70; length++) {
      const bytes = new Uint8Array(randomBytes(length));
      expect(base64UrlEncode(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
      expect([...base64UrlDecode(base64UrlEncode(bytes))]).toEqual([...bytes]);
    }
    expect(() => utf8Bytes('a\ud800b')).toThrow(RangeError);
    expect(() => base64UrlDecode('ab+/')).toThrow(RangeError);
    expect(() => base64UrlDecode('AB')).toThrow(RangeError); // leftover bits set
  });
});

describe('checkVerdict', () => {
  const fields = { clientId: 'client-0001', osUser: 'CORP\\alice', nonce: 'bm9uY2Utbm9uY2Utbm9uY2U', sessionId: 'session-0001', time: NOW };
  const expected = { clientId: fields.clientId, osUser: fields.osUser, nonce: fields.nonce, serverPublicKey: PUBLIC, now: NOW };

  it('accepts a verdict signed by the pinned key for this nonce, user and Client', async () => {
    expect(await checkVerdict(signed(fields), expected, nodeEd25519Verify)).toBeUndefined();
  });

  it('refuses a missing verdict, another nonce, user or Client, a garbled signature, a stale time, and no known key', async () => {
    expect(await checkVerdict({ allowed: true, sessionId: 'session-0001' }, expected, nodeEd25519Verify)).toBe('missing');
    for (const other of [{ nonce: 'b3RoZXItbm9uY2Utbm9uY2U' }, { osUser: 'CORP\\bob' }, { clientId: 'client-0002' }]) {
      expect(await checkVerdict(signed(fields), { ...expected, ...other }, nodeEd25519Verify)).toBe('invalid_signature');
    }
    const garbled = signed(fields);
    garbled.verdict.signature = 'not base64url!';
    expect(await checkVerdict(garbled, expected, nodeEd25519Verify)).toBe('invalid_signature');
    expect(await checkVerdict(signed(fields), { ...expected, now: NOW + 5 * 60_000 + 1 }, nodeEd25519Verify)).toBe('stale');
    expect(await checkVerdict(signed(fields), { ...expected, serverPublicKey: undefined }, nodeEd25519Verify)).toBe('no_pinned_key');
  });
});

describe('the verdict hook', () => {
  function memory(initial: unknown = []) {
    let value: unknown = initial;
    return {
      load: () => parseVerdictFailures(value),
      save: (failures: VerdictFailure[]) => void (value = failures),
      get value() {
        return value as VerdictFailure[];
      },
    };
  }
  const hookWith = (store: ReturnType<typeof memory>) =>
    createVerdictHook({
      identity: () => ({ clientId: 'client-0001', serverPublicKey: PUBLIC }),
      verify: nodeEd25519Verify,
      randomBytes: nodeRandomBytes,
      now: () => NOW,
      store,
    });

  it('makes a fresh 22-character nonce per call', () => {
    const hook = hookWith(memory());
    const nonces = new Set(Array.from({ length: 50 }, () => hook.nonce()));
    expect(nonces.size).toBe(50);
    for (const n of nonces) expect(n).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('keeps refusals across a restart until the server has them', async () => {
    const store = memory();
    const first = hookWith(store);
    expect(await first.refuse({ allowed: true, sessionId: 'forged-0001' }, 'CORP\\alice', first.nonce())).toBe('missing');
    const failing: ApiClient = async () => {
      throw new ApiError(0, 'network_error', 'down');
    };
    await first.report(failing);
    expect(store.value).toHaveLength(1);

    const sent: unknown[] = [];
    const second = hookWith(store); // the lock was restarted
    await second.report((async (_route: unknown, input: { body: unknown }) => void sent.push(input.body)) as unknown as ApiClient);
    expect(sent).toEqual([{ failures: [{ osUser: 'CORP\\alice', reason: 'missing', at: NOW, sessionId: 'forged-0001' }] }]);
    expect(store.value).toEqual([]);
  });

  it('drops stored entries the server would refuse, so one bad entry never blocks the rest', () => {
    const good = { osUser: 'CORP\\alice', reason: 'stale', at: 1 };
    expect(
      parseVerdictFailures([good, { ...good, reason: 'made-up' }, { ...good, extra: 1 }, { ...good, osUser: 'a\nb' }, null, 'x']),
    ).toEqual([good]);
    expect(parseVerdictFailures({ not: 'an array' })).toEqual([]);
  });
});
