import { createHmac, randomBytes, webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  OFFLINE_ALPHABET,
  base64UrlToBytes,
  bytesToBase64Url,
  computeOfflineResponse,
  encodeOfflineCode,
  groupOfflineCode,
  normalizeOfflineCode,
  type HmacSha256,
} from '../src/index.js';

const nodeHmac: HmacSha256 = async (key, message) => new Uint8Array(createHmac('sha256', key).update(message, 'utf8').digest());
const webHmac: HmacSha256 = async (key, message) => {
  const k = await webcrypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await webcrypto.subtle.sign('HMAC', k, new TextEncoder().encode(message)));
};

describe('offline codes', () => {
  it('uses 32 symbols with nothing that reads as something else', () => {
    expect(new Set(OFFLINE_ALPHABET).size).toBe(32);
    for (const c of 'ILOU') expect(OFFLINE_ALPHABET).not.toContain(c);
  });

  it('reads what a person types: case, dashes, spaces, O for 0 and I or L for 1', () => {
    expect(normalizeOfflineCode(' abcd-efgh ')).toBe('ABCDEFGH');
    expect(normalizeOfflineCode('o1l1-iO00')).toBe('01111000');
    expect(groupOfflineCode('ABCDEFGH')).toBe('ABCD-EFGH');
    expect(groupOfflineCode('ABCDEFGHJK')).toBe('ABCDE-FGHJK');
  });

  it('encodes 5 bits per character from the first bytes', () => {
    expect(encodeOfflineCode(Uint8Array.from([0, 0, 0, 0, 0]), 8)).toBe('00000000');
    expect(encodeOfflineCode(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff]), 8)).toBe('ZZZZZZZZ');
    expect(encodeOfflineCode(Uint8Array.from([0b00001_000, 0b10_00000_0]), 3)).toBe('120');
  });

  it('round-trips base64url like Node does', () => {
    for (const length of [0, 1, 2, 3, 31, 32, 33]) {
      const bytes = randomBytes(length);
      expect(bytesToBase64Url(bytes)).toBe(bytes.toString('base64url'));
      expect(Buffer.from(base64UrlToBytes(bytes.toString('base64url')))).toEqual(bytes);
    }
  });

  it('gives the same response with node:crypto (server, Electron) and WebCrypto (preview), bound to every input', async () => {
    const key = randomBytes(32);
    const input = { clientId: 'client-0001', osUser: 'CORP\\Alice', challenge: 'ABCDEFGH' };
    const code = await computeOfflineResponse(nodeHmac, key, input);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{10}$/);
    expect(await computeOfflineResponse(webHmac, key, input)).toBe(code);
    expect(await computeOfflineResponse(nodeHmac, key, { ...input, osUser: 'corp\\alice' })).toBe(code);
    for (const other of [
      { ...input, osUser: 'CORP\\bob' },
      { ...input, challenge: 'ABCDEFGJ' },
      { ...input, clientId: 'client-0002' },
    ]) {
      expect(await computeOfflineResponse(nodeHmac, key, other)).not.toBe(code);
    }
    expect(await computeOfflineResponse(nodeHmac, randomBytes(32), input)).not.toBe(code);
  });
});
