/**
 * Offline unlock by challenge and response: the arithmetic both sides share. The Client shows a
 * challenge, the helpdesk reads it out of the Management Tool's answer, the Client checks the
 * response it is told. Nothing here touches Node, the DOM or Electron: the HMAC comes injected
 * (node:crypto on the server and in Electron's main, WebCrypto in the lock preview).
 */

/** Crockford's base32: digits and capitals without I, L, O and U, so nothing reads as something else. */
export const OFFLINE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Characters in a challenge (5 bits each: 40 bits, read as two groups of four). */
export const OFFLINE_CHALLENGE_LENGTH = 8;
/** Characters in a response code (5 bits each: 50 bits, read as two groups of five). */
export const OFFLINE_RESPONSE_LENGTH = 10;
/** A challenge, and the response computed for it, are good for this long. */
export const OFFLINE_CHALLENGE_MINUTES = 15;
/** Wrong responses that burn a challenge. */
export const OFFLINE_MAX_WRONG_RESPONSES = 5;
/** Wrong responses of one osUser, whatever their challenges, that stop offline unlock for 24 hours (v1.2). */
export const OFFLINE_MAX_WRONG_PER_DAY = 10;

/** HMAC-SHA-256 of the UTF-8 bytes of `message`. */
export type HmacSha256 = (key: Uint8Array, message: string) => Promise<Uint8Array>;

/**
 * What a person may type for a challenge or a response: upper or lower case, spaces and dashes
 * between groups, and the letters Crockford reads as digits (O → 0, I and L → 1).
 */
export function normalizeOfflineCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

export function isOfflineCode(value: string, length: number): boolean {
  return value.length === length && [...value].every((c) => OFFLINE_ALPHABET.includes(c));
}

/** `ABCD-EFGH`, `ABCDE-FGHJK`: groups of half the length, for reading aloud. */
export function groupOfflineCode(code: string): string {
  const half = Math.ceil(code.length / 2);
  return `${code.slice(0, half)}-${code.slice(half)}`;
}

/** The first `length` × 5 bits of `bytes` in the alphabet above. */
export function encodeOfflineCode(bytes: Uint8Array, length: number): string {
  if (bytes.length * 8 < length * 5) throw new Error('not enough bytes for the code');
  let out = '';
  for (let i = 0; i < length; i++) {
    let value = 0;
    for (let bit = i * 5; bit < i * 5 + 5; bit++) value = (value << 1) | ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1);
    out += OFFLINE_ALPHABET[value];
  }
  return out;
}

/** osUser as Windows compares it (case-insensitive), so `CORP\Alice` and `corp\alice` get one code. */
export function offlineUserKey(osUser: string): string {
  return osUser.trim().toLowerCase();
}

/**
 * The response code for one challenge: HMAC-SHA-256(offline key, "latchkey offline v1|clientId|osUser|challenge")
 * truncated to 50 bits. Bound to the Client (its key and id), the osUser and the challenge.
 */
export async function computeOfflineResponse(
  hmac: HmacSha256,
  offlineKey: Uint8Array,
  input: { clientId: string; osUser: string; challenge: string },
): Promise<string> {
  const mac = await hmac(offlineKey, `latchkey offline v1|${input.clientId}|${offlineUserKey(input.osUser)}|${input.challenge}`);
  return encodeOfflineCode(mac, OFFLINE_RESPONSE_LENGTH);
}

/**
 * The key of one user of an installer-enrolled (`machine`) Client: HMAC-SHA-256(the machine's offline
 * key, "latchkey offline user v1|clientId|osUser"). The guard hands each signed-in user only theirs,
 * and the responses for that user are computed with it, so no user of the computer holds the key
 * that opens another user's lock.
 */
export async function deriveOfflineUserKey(
  hmac: HmacSha256,
  machineKey: Uint8Array,
  clientId: string,
  osUser: string,
): Promise<Uint8Array> {
  return hmac(machineKey, `latchkey offline user v1|${clientId}|${offlineUserKey(osUser)}`);
}

/** Base64url (no padding) to bytes and back, for the offline key on the wire and on disk. */
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
export function base64UrlToBytes(text: string): Uint8Array {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const c of text) {
    const v = B64.indexOf(c);
    if (v < 0) throw new Error('not base64url');
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return Uint8Array.from(out);
}
export function bytesToBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let j = 0; j < chars; j++) out += B64[(n >> (18 - 6 * j)) & 63];
  }
  return out;
}
