import { createHash, createPublicKey, randomBytes, verify as ed25519Verify } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { base64UrlDecode, formatFingerprint, unlockedSessionsMessage, verdictMessage } from '@latchkey/contracts';
import { buildTestApp, bearer, type TestApp } from '../../helper.js';
import { otpFromMail } from '@latchkey/test-support';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.destroy();
});

const MINUTE = 60_000;
const nonce = () => randomBytes(16).toString('base64url');

function verifiesWith(publicKey: string, message: Uint8Array, signature: string): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  return ed25519Verify(null, message, key, Buffer.from(signature, 'base64url'));
}

/** Generate Password for osUser on a new Client; returns what a lock needs to verify. */
async function generatedOtp(computerName = 'PC-0001', osUser = 'CORP\\alice', email = 'alice@corp.example.com') {
  const enrolled = (await t.enroll(computerName)) as { clientId: string; clientToken: string; serverPublicKey: string };
  const admin = await t.adminToken();
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/admin/otp',
    headers: bearer(admin),
    payload: { clientId: enrolled.clientId, osUser, email },
  });
  expect(res.statusCode).toBe(201);
  const mail = await t.smtp.waitFor((m) => m.to.includes(email) && m.subject.startsWith('Your one-time password') && !seen.has(m));
  seen.add(mail);
  return { ...enrolled, osUser, email, otp: otpFromMail(mail), admin };
}
const seen = new Set<unknown>();

async function unlock(computerName: string, osUser: string, email: string) {
  const g = await generatedOtp(computerName, osUser, email);
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/otp/verify',
    headers: bearer(g.clientToken),
    payload: { osUser, email, otp: g.otp, nonce: nonce() },
  });
  expect(res.statusCode).toBe(200);
  return { ...g, sessionId: res.json().sessionId as string };
}

describe('the server signing key', () => {
  it('is created on first start as a 0600 file beside the secret key, kept out of the database, and survives a restart', async () => {
    const file = join(t.dataDir, 'signing.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const pem = readFileSync(file, 'utf8');
    expect(pem).toContain('-----BEGIN PRIVATE KEY-----');
    const keyBody = pem.split('\n')[1]!;
    expect(readFileSync(join(t.dataDir, 'latchkey.db')).includes(Buffer.from(keyBody))).toBe(false);

    const before = (await t.enroll()) as { serverPublicKey: string };
    t = await t.restart();
    const after = (await t.enroll()) as { serverPublicKey: string };
    expect(after.serverPublicKey).toBe(before.serverPublicKey);
  });

  it('gives the enroll answer the public key and the Management Tool its SHA-256 fingerprint', async () => {
    const { serverPublicKey } = (await t.enroll()) as { serverPublicKey: string };
    expect(serverPublicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const admin = await t.adminToken();
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/admin/server-key', headers: bearer(admin) });
    expect(res.statusCode).toBe(200);
    const expected = formatFingerprint(createHash('sha256').update(base64UrlDecode(serverPublicKey)).digest());
    expect(res.json()).toEqual({ algorithm: 'Ed25519', publicKey: serverPublicKey, fingerprint: expected });
    expect(expected).toMatch(/^([0-9A-F]{4} ){15}[0-9A-F]{4}$/);
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/admin/server-key' });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('signed verdicts', () => {
  it('signs clientId, osUser, nonce, sessionId and time when the verify call carries a nonce', async () => {
    const g = await generatedOtp();
    const n = nonce();
    t.clock.advance(1234);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/otp/verify',
      headers: bearer(g.clientToken),
      payload: { osUser: g.osUser, email: g.email, otp: g.otp, nonce: n },
    });
    expect(res.statusCode).toBe(200);
    const { sessionId, verdict } = res.json();
    expect(verdict.time).toBe(t.clock.now());
    const fields = { clientId: g.clientId, osUser: g.osUser, nonce: n, sessionId, time: verdict.time };
    expect(verifiesWith(g.serverPublicKey, verdictMessage(fields), verdict.signature)).toBe(true);
    // Each field is bound: another nonce, user, client or time does not verify.
    for (const change of [{ nonce: nonce() }, { osUser: 'CORP\\mallory' }, { clientId: 'another-client-id' }, { time: verdict.time + 1 }]) {
      expect(verifiesWith(g.serverPublicKey, verdictMessage({ ...fields, ...change }), verdict.signature)).toBe(false);
    }
  });

  it('answers a v1.0 Client that sends no nonce without a verdict', async () => {
    const g = await generatedOtp();
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/otp/verify',
      headers: bearer(g.clientToken),
      payload: { osUser: g.osUser, email: g.email, otp: g.otp },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().verdict).toBeUndefined();
  });

  it('refuses a nonce that is too short, too long or outside base64url', async () => {
    const g = await generatedOtp();
    for (const bad of ['short', 'a'.repeat(129), `${'a'.repeat(30)}+/=`, `${'a'.repeat(30)}\n`]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/otp/verify',
        headers: bearer(g.clientToken),
        payload: { osUser: g.osUser, email: g.email, otp: g.otp, nonce: bad },
      });
      expect(res.statusCode).toBe(400);
    }
  });

  it('audits a refused verdict reported by the Client and ends the session the refused answer named', async () => {
    const u = await unlock('PC-0001', 'CORP\\alice', 'alice@corp.example.com');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/client/verdict-failures',
      headers: bearer(u.clientToken),
      payload: { failures: [{ osUser: u.osUser, reason: 'invalid_signature', at: t.clock.now(), sessionId: u.sessionId }] },
    });
    expect(res.statusCode).toBe(204);
    const audit = await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit?type=client.verdict_failed', headers: bearer(u.admin) });
    const [event] = audit.json();
    expect(event).toMatchObject({ type: 'client.verdict_failed', clientId: u.clientId, computerName: 'PC-0001', osUser: 'CORP\\alice' });
    expect(event.detail).toContain('did not verify');
    expect(event.detail).toContain(`session ${u.sessionId} ended`);
    const sessions = await t.app.inject({ method: 'GET', url: '/api/v1/admin/sessions', headers: bearer(u.admin) });
    expect(sessions.json()[0].endedAt).not.toBeNull();
  });

  it('never lets a Client end another Client’s session through a failure report, and refuses unknown fields', async () => {
    const victim = await unlock('PC-0001', 'CORP\\alice', 'alice@corp.example.com');
    const other = await t.enroll('PC-0002');
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/client/verdict-failures',
      headers: bearer(other.clientToken),
      payload: { failures: [{ osUser: 'CORP\\alice', reason: 'missing', at: 1, sessionId: victim.sessionId }] },
    });
    expect(res.statusCode).toBe(204);
    const sessions = await t.app.inject({ method: 'GET', url: '/api/v1/admin/sessions', headers: bearer(victim.admin) });
    expect(sessions.json()[0].endedAt).toBeNull();
    const extra = await t.app.inject({
      method: 'POST',
      url: '/api/v1/client/verdict-failures',
      headers: bearer(other.clientToken),
      payload: { failures: [{ osUser: 'x', reason: 'missing', at: 1, detail: 'mine' }] },
    });
    expect(extra.statusCode).toBe(400);
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/api/v1/client/verdict-failures',
      payload: { failures: [{ osUser: 'x', reason: 'missing', at: 1 }] },
    });
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('the guard’s question: unlocked sessions of this computer', () => {
  async function ask(clientToken: string, n = nonce()) {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/client/unlocked-sessions?nonce=${n}`, headers: bearer(clientToken) });
    expect(res.statusCode).toBe(200);
    return { body: res.json(), nonce: n };
  }

  it('lists open sessions of every Client with this computer name, signed over the guard’s nonce', async () => {
    const alice = await unlock('PC-0001', 'CORP\\alice', 'alice@corp.example.com');
    t.clock.advance(1000); // oldest first
    await unlock('pc-0001', 'CORP\\bob', 'bob@corp.example.com');
    await unlock('PC-0002', 'CORP\\carol', 'carol@corp.example.com');
    const guard = (await t.enroll('PC-0001')) as { clientId: string; clientToken: string; serverPublicKey: string };

    const { body, nonce: n } = await ask(guard.clientToken);
    expect(body).toMatchObject({ clientId: guard.clientId, computerName: 'PC-0001', nonce: n, time: t.clock.now() });
    expect(body.sessions.map((s: { osUser: string }) => s.osUser)).toEqual(['CORP\\alice', 'CORP\\bob']);
    expect(body.sessions[0].sessionId).toBe(alice.sessionId);
    expect(verifiesWith(guard.serverPublicKey, unlockedSessionsMessage(body), body.signature)).toBe(true);
    // A replay under another nonce, or a list with a session dropped, does not verify.
    expect(verifiesWith(guard.serverPublicKey, unlockedSessionsMessage({ ...body, nonce: nonce() }), body.signature)).toBe(false);
    expect(
      verifiesWith(guard.serverPublicKey, unlockedSessionsMessage({ ...body, sessions: body.sessions.slice(1) }), body.signature),
    ).toBe(false);
  });

  it('drops a session once it ends, and one whose lock has not been heard from for five minutes', async () => {
    const alice = await unlock('PC-0001', 'CORP\\alice', 'alice@corp.example.com');
    const bob = await unlock('PC-0001', 'CORP\\bob', 'bob@corp.example.com');
    const guard = await t.enroll('PC-0001');

    t.clock.advance(4 * MINUTE);
    const beat = await t.app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${bob.sessionId}/heartbeat`,
      headers: bearer(bob.clientToken),
    });
    expect(beat.statusCode).toBe(204);
    t.clock.advance(2 * MINUTE);
    expect((await ask(guard.clientToken)).body.sessions.map((s: { osUser: string }) => s.osUser)).toEqual(['CORP\\bob']);

    await t.app.inject({ method: 'POST', url: `/api/v1/sessions/${bob.sessionId}/end`, headers: bearer(bob.clientToken) });
    expect((await ask(guard.clientToken)).body.sessions).toEqual([]);
    expect(alice.sessionId).toBeTruthy();
  });

  it('refuses a missing or malformed nonce and an unknown Client', async () => {
    const guard = await t.enroll('PC-0001');
    for (const url of ['/api/v1/client/unlocked-sessions', '/api/v1/client/unlocked-sessions?nonce=short']) {
      expect((await t.app.inject({ method: 'GET', url, headers: bearer(guard.clientToken) })).statusCode).toBe(400);
    }
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/client/unlocked-sessions?nonce=${nonce()}` });
    expect(res.statusCode).toBe(401);
  });
});
