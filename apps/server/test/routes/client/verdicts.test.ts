import { createHash, createPublicKey, randomBytes, verify as ed25519Verify } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { base64UrlDecode, formatFingerprint, routes, unlockedSessionsMessage, verdictMessage, type VerifyBody } from '@latchkey/contracts';
import { otpFromMail } from '@latchkey/test-support';
import { onPostgres, useTestApp } from '../../helper.js';

const t = useTestApp();

const MINUTE = 60_000;
const nonce = () => randomBytes(16).toString('base64url');

function verifiesWith(publicKey: string, message: Uint8Array, signature: string): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  return ed25519Verify(null, message, key, Buffer.from(signature, 'base64url'));
}

/** Generate Password for osUser on a new Client; returns what a lock needs to verify. */
async function generatedOtp(computerName = 'PC-0001', osUser = 'CORP\\alice', email = 'alice@corp.example.com') {
  const enrolled = await t.enroll(computerName);
  const admin = await t.adminToken();
  await t.api(admin)(routes.generateOtp, { body: { clientId: enrolled.clientId, osUser, email } });
  const mail = await t.smtp.waitFor((m) => m.to.includes(email) && m.subject.startsWith('Your one-time password') && !seen.has(m));
  seen.add(mail);
  return { ...enrolled, osUser, email, otp: otpFromMail(mail), admin };
}
const seen = new Set<unknown>();

const verify = (token: string, body: VerifyBody) => t.api(token)(routes.verifyOtp, { body });

async function unlock(computerName: string, osUser: string, email: string) {
  const g = await generatedOtp(computerName, osUser, email);
  const { sessionId } = await verify(g.clientToken, { osUser, email, otp: g.otp, nonce: nonce() });
  return { ...g, sessionId: sessionId! };
}

describe('the server signing key', () => {
  it('is created on first start as a 0600 file beside the secret key, kept out of the database, and survives a restart', async () => {
    const file = join(t.dataDir, 'signing.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const pem = readFileSync(file, 'utf8');
    expect(pem).toContain('-----BEGIN PRIVATE KEY-----');
    const keyBody = pem.split('\n')[1]!;
    // In no table on either engine (and, on SQLite, nowhere in the file).
    for (const { value } of await t.query<{ value: string }>('SELECT value FROM settings')) expect(value).not.toContain(keyBody);
    if (!onPostgres()) expect(readFileSync(join(t.dataDir, 'latchkey.db')).includes(Buffer.from(keyBody))).toBe(false);

    const before = await t.enroll();
    await t.restart();
    const after = await t.enroll();
    expect(after.serverPublicKey).toBe(before.serverPublicKey);
  });

  it('gives the enroll answer the public key and the Management Tool its SHA-256 fingerprint', async () => {
    const { serverPublicKey } = await t.enroll();
    expect(serverPublicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const admin = await t.adminToken();
    const expected = formatFingerprint(createHash('sha256').update(base64UrlDecode(serverPublicKey)).digest());
    expect(await t.api(admin)(routes.getServerKey, {})).toEqual({
      algorithm: 'Ed25519',
      publicKey: serverPublicKey,
      fingerprint: expected,
    });
    expect(expected).toMatch(/^([0-9A-F]{4} ){15}[0-9A-F]{4}$/);
    await expect(t.api()(routes.getServerKey, {})).rejects.toMatchObject({ status: 401 });
  });
});

describe('signed verdicts', () => {
  it('signs clientId, osUser, nonce, sessionId and time when the verify call carries a nonce', async () => {
    const g = await generatedOtp();
    const n = nonce();
    t.clock.advance(1234);
    const { sessionId, verdict } = await verify(g.clientToken, { osUser: g.osUser, email: g.email, otp: g.otp, nonce: n });
    if (!sessionId) throw new Error('no session');
    expect(verdict.time).toBe(t.clock.now());
    const fields = { clientId: g.clientId, osUser: g.osUser, nonce: n, sessionId, time: verdict.time };
    expect(verifiesWith(g.serverPublicKey, verdictMessage(fields), verdict.signature)).toBe(true);
    // Each field is bound: another nonce, user, client or time does not verify.
    for (const change of [{ nonce: nonce() }, { osUser: 'CORP\\mallory' }, { clientId: 'another-client-id' }, { time: verdict.time + 1 }]) {
      expect(verifiesWith(g.serverPublicKey, verdictMessage({ ...fields, ...change }), verdict.signature)).toBe(false);
    }
  });

  it('refuses a verify without a nonce (400 invalid_request) and leaves the OTP unused: no unsigned 200 any more', async () => {
    const g = await generatedOtp();
    // The attack: a verify with no nonce used to be answered 200 without a verdict, using the OTP up.
    const res = await t.send(routes.verifyOtp, { token: g.clientToken, body: { osUser: g.osUser, email: g.email, otp: g.otp } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'invalid_request' } });
    // The OTP is still live: the same code with a nonce unlocks, signed.
    const ok = await verify(g.clientToken, { osUser: g.osUser, email: g.email, otp: g.otp, nonce: nonce() });
    expect(ok.verdict.signature).toMatch(/^[A-Za-z0-9_-]{86}$/);
  });

  it('refuses a nonce that is too short, too long or outside base64url', async () => {
    const g = await generatedOtp();
    for (const bad of ['short', 'a'.repeat(129), `${'a'.repeat(30)}+/=`, `${'a'.repeat(30)}\n`]) {
      const res = await t.send(routes.verifyOtp, {
        token: g.clientToken,
        body: { osUser: g.osUser, email: g.email, otp: g.otp, nonce: bad },
      });
      expect(res.statusCode).toBe(400);
    }
  });

  it('audits a refused verdict reported by the Client and ends the session the refused answer named', async () => {
    const u = await unlock('PC-0001', 'CORP\\alice', 'alice@corp.example.com');
    await t.api(u.clientToken)(routes.reportVerdictFailures, {
      body: { failures: [{ osUser: u.osUser, reason: 'invalid_signature', at: t.clock.now(), sessionId: u.sessionId }] },
    });
    const [event] = await t.api(u.admin)(routes.listAudit, { query: { type: 'client.verdict_failed' } });
    expect(event).toMatchObject({ type: 'client.verdict_failed', clientId: u.clientId, computerName: 'PC-0001', osUser: 'CORP\\alice' });
    expect(event!.detail).toContain('did not verify');
    expect(event!.detail).toContain(`session ${u.sessionId} ended`);
    const sessions = await t.api(u.admin)(routes.listSessions, {});
    expect(sessions[0]!.endedAt).not.toBeNull();
  });

  it('never lets a Client end another Client’s session through a failure report, and refuses unknown fields', async () => {
    const victim = await unlock('PC-0001', 'CORP\\alice', 'alice@corp.example.com');
    const other = await t.enroll('PC-0002');
    await t.api(other.clientToken)(routes.reportVerdictFailures, {
      body: { failures: [{ osUser: 'CORP\\alice', reason: 'missing', at: 1, sessionId: victim.sessionId }] },
    });
    const sessions = await t.api(victim.admin)(routes.listSessions, {});
    expect(sessions[0]!.endedAt).toBeNull();
    const extra = await t.send(routes.reportVerdictFailures, {
      token: other.clientToken,
      body: { failures: [{ osUser: 'x', reason: 'missing', at: 1, detail: 'mine' }] },
    });
    expect(extra.statusCode).toBe(400);
    await expect(
      t.api()(routes.reportVerdictFailures, { body: { failures: [{ osUser: 'x', reason: 'missing', at: 1 }] } }),
    ).rejects.toMatchObject({ status: 401 });
  });
});

describe('the guard’s question: unlocked sessions of this computer', () => {
  async function ask(clientToken: string, n = nonce()) {
    return { body: await t.api(clientToken)(routes.getUnlockedSessions, { query: { nonce: n } }), nonce: n };
  }

  it('lists open sessions of every Client with this computer name, signed over the guard’s nonce', async () => {
    const alice = await unlock('PC-0001', 'CORP\\alice', 'alice@corp.example.com');
    t.clock.advance(1000); // oldest first
    await unlock('pc-0001', 'CORP\\bob', 'bob@corp.example.com');
    await unlock('PC-0002', 'CORP\\carol', 'carol@corp.example.com');
    const guard = await t.enroll('PC-0001');

    const { body, nonce: n } = await ask(guard.clientToken);
    expect(body).toMatchObject({ clientId: guard.clientId, computerName: 'PC-0001', nonce: n, time: t.clock.now() });
    expect(body.sessions.map((s: { osUser: string }) => s.osUser)).toEqual(['CORP\\alice', 'CORP\\bob']);
    expect(body.sessions[0]!.sessionId).toBe(alice.sessionId);
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
    await t.api(bob.clientToken)(routes.heartbeat, { params: { sessionId: bob.sessionId } });
    t.clock.advance(2 * MINUTE);
    expect((await ask(guard.clientToken)).body.sessions.map((s: { osUser: string }) => s.osUser)).toEqual(['CORP\\bob']);

    await t.api(bob.clientToken)(routes.endSession, { params: { sessionId: bob.sessionId } });
    expect((await ask(guard.clientToken)).body.sessions).toEqual([]);
    expect(alice.sessionId).toBeTruthy();
  });

  it('refuses a missing or malformed nonce and an unknown Client', async () => {
    const guard = await t.enroll('PC-0001');
    for (const query of [undefined, { nonce: 'short' }]) {
      const res = await t.send(routes.getUnlockedSessions, { token: guard.clientToken, ...(query ? { query } : {}) });
      expect(res.statusCode).toBe(400);
    }
    await expect(t.api()(routes.getUnlockedSessions, { query: { nonce: nonce() } })).rejects.toMatchObject({ status: 401 });
  });
});
