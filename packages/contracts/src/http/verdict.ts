import { Type, type Static } from '@sinclair/typebox';
import { TimestampSchema } from './common.js';

/**
 * Signed verdicts: what the server signs with its Ed25519 key, byte for byte. Both sides build the
 * message with these functions; the signing and verifying are done by the caller (node:crypto on the
 * server and in Electron main, WebCrypto in the preview), since contracts import nothing from Node or
 * the DOM. The layout is written out in docs/security.md ("Signed verdicts").
 */

export const SERVER_PUBLIC_KEY_PATTERN = '^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$';

/** 32 raw bytes of an Ed25519 public key, base64url without padding (the JWK `x` form). */
export const ServerPublicKeySchema = Type.String({ pattern: SERVER_PUBLIC_KEY_PATTERN });

export function isServerPublicKey(value: unknown): value is string {
  return typeof value === 'string' && new RegExp(SERVER_PUBLIC_KEY_PATTERN).test(value);
}

/** A fresh random value per call: 16 to 96 bytes, base64url without padding. */
export const NonceSchema = Type.String({ minLength: 22, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' });

/** 64 bytes of an Ed25519 signature, base64url without padding. */
export const SignatureSchema = Type.String({ pattern: '^[A-Za-z0-9_-]{85}[AQgw]$' });

/** The verdict in a successful `POST /api/v1/otp/verify` answer. */
export const VerdictSchema = Type.Object({ time: TimestampSchema, signature: SignatureSchema }, { additionalProperties: false });
export type Verdict = Static<typeof VerdictSchema>;

export const VERDICT_CONTEXT = 'latchkey verdict v1';
export const UNLOCKED_SESSIONS_CONTEXT = 'latchkey unlocked sessions v1';

export interface VerdictFields {
  clientId: string;
  osUser: string;
  nonce: string;
  sessionId: string;
  /** Milliseconds since the epoch, UTC, when the server signed. */
  time: number;
}

export interface UnlockedSessionsFields {
  clientId: string;
  computerName: string;
  nonce: string;
  time: number;
  sessions: readonly { sessionId: string; osUser: string; startedAt: number }[];
}

/** UTF-8 of a string; a lone surrogate cannot be encoded unambiguously and is refused. */
export function utf8Bytes(value: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < value.length; i++) {
    let cp = value.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff) {
      const low = value.charCodeAt(i + 1);
      if (!(low >= 0xdc00 && low <= 0xdfff)) throw new RangeError('lone surrogate');
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
      i++;
    } else if (cp >= 0xdc00 && cp <= 0xdfff) {
      throw new RangeError('lone surrogate');
    }
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return Uint8Array.from(out);
}

/** Builds a message from fields: each string as a 4-byte big-endian length and its UTF-8, each number as 8 bytes big-endian. */
export function encodeFields(fields: readonly (string | number)[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const field of fields) {
    if (typeof field === 'number') {
      if (!Number.isSafeInteger(field) || field < 0) throw new RangeError('a number field must be a non-negative safe integer');
      const part = new Uint8Array(8);
      const high = Math.floor(field / 2 ** 32);
      const low = field % 2 ** 32;
      for (let i = 0; i < 4; i++) {
        part[i] = (high >>> (24 - 8 * i)) & 0xff;
        part[4 + i] = (low >>> (24 - 8 * i)) & 0xff;
      }
      parts.push(part);
    } else {
      const bytes = utf8Bytes(field);
      const length = bytes.length;
      parts.push(Uint8Array.from([(length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff]), bytes);
    }
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * The bytes of a verdict: context, clientId, osUser (NFC), nonce, sessionId as length-prefixed
 * UTF-8, then time as an unsigned 64-bit big-endian integer.
 */
export function verdictMessage(fields: VerdictFields): Uint8Array {
  return encodeFields([VERDICT_CONTEXT, fields.clientId, fields.osUser.normalize('NFC'), fields.nonce, fields.sessionId, fields.time]);
}

/**
 * The bytes of the guard's answer: context, clientId, computerName (NFC), nonce, time, the number of
 * sessions, then per session sessionId, osUser (NFC), startedAt, in the order of the answer.
 */
export function unlockedSessionsMessage(fields: UnlockedSessionsFields): Uint8Array {
  return encodeFields([
    UNLOCKED_SESSIONS_CONTEXT,
    fields.clientId,
    fields.computerName.normalize('NFC'),
    fields.nonce,
    fields.time,
    fields.sessions.length,
    ...fields.sessions.flatMap((s) => [s.sessionId, s.osUser.normalize('NFC'), s.startedAt]),
  ]);
}

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function base64UrlEncode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let j = 0; j < chars; j++) out += BASE64URL[(n >>> (18 - 6 * j)) & 63];
  }
  return out;
}

/** Strict: only the base64url alphabet, no padding, no leftover bits. */
export function base64UrlDecode(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new RangeError('not base64url');
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let bits = 0;
  let value = 0;
  let index = 0;
  for (const char of text) {
    value = (value << 6) | BASE64URL.indexOf(char);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (value >>> bits) & 0xff;
    }
  }
  if ((value & ((1 << bits) - 1)) !== 0) throw new RangeError('not base64url');
  return out;
}

/** A SHA-256 digest as people read it aloud: 16 groups of 4 upper-case hex digits. */
export function formatFingerprint(sha256: Uint8Array): string {
  const hex = Array.from(sha256, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
  return hex.match(/.{1,4}/g)!.join(' ');
}
