import { describe, expect, it } from 'vitest';
import { routes, type ClientRole, type EnrollResult } from '@latchkey/contracts';
import { otpFromMail, testNonce } from '@latchkey/test-support';
import { ENROLLMENT_KEY, useTestApp } from '../helper.js';

// Issue 24, "The guard is the authority", the server's part: each attack as it was tried, over HTTP.
const t = useTestApp();

const enroll = (computerName: string, role: ClientRole): Promise<EnrollResult> =>
  t.api()(routes.enroll, { body: { enrollmentKey: ENROLLMENT_KEY, computerName, role } });

const unlockedOsUsers = async (guardToken: string) =>
  (await t.api(guardToken)(routes.getUnlockedSessions, { query: { nonce: testNonce() } })).sessions.map((s) => s.osUser);

/** A computer as the installer leaves it: the machine Client (every user's lock) and the guard. */
async function computer(name = 'PC-SHARED') {
  const machine = await enroll(name, 'machine');
  const guard = await enroll(name, 'guard');
  return { machine, guard };
}

const userToken = async (token: string, osUser: string) => (await t.api(token)(routes.createUserToken, { body: { osUser } })).clientToken;

const seenMails = new Set<unknown>();
/** Generate Password for osUser on a Client, then verify it with `token`: the session that opens. */
async function unlock(clientId: string, token: string, osUser: string) {
  const email = `${osUser.split('\\').pop()!.toLowerCase()}@corp.example.com`;
  const admin = await t.adminToken();
  await t.api(admin)(routes.generateOtp, { body: { clientId, osUser, email } });
  const mail = await t.smtp.waitFor((m) => m.to.includes(email) && m.subject.startsWith('Your one-time password') && !seenMails.has(m));
  seenMails.add(mail);
  const otp = otpFromMail(mail);
  const { sessionId } = await t.api(token)(routes.verifyOtp, { body: { osUser, email, otp, nonce: testNonce() } });
  return { sessionId, email, otp };
}

const report = (token: string, osUser: string, challenge = 'ZZZZ-ZZZZ') =>
  t.api(token)(routes.reportOfflineUnlock, {
    body: { osUser, challenge, challengeIssuedAt: t.clock.now() - 60_000, usedAt: t.clock.now(), keyVersion: 1 },
  });

describe('attack 1: a fake offline report opens the guard', () => {
  it('a profile lock’s or a per-user token’s report with no response code opens nothing; it is audited for review', async () => {
    const { machine, guard } = await computer();
    const profileLock = await enroll('PC-PROFILE', 'lock');
    const mallory = await userToken(machine.clientToken, 'CORP\\mallory');
    const profileGuard = await enroll('PC-PROFILE', 'guard');

    // The attack: any token of the computer names any osUser, with a challenge nobody was answered.
    // (The machine token is SYSTEM's since v1.2: the installer's ACL; it speaks for the guard, below.)
    for (const [token, osUser] of [
      [mallory, 'CORP\\mallory'],
      [profileLock.clientToken, 'CORP\\bob'],
    ] as const) {
      expect(await report(token, osUser), osUser).toEqual({});
    }
    expect(await unlockedOsUsers(guard.clientToken)).toEqual([]);
    expect(await unlockedOsUsers(profileGuard.clientToken)).toEqual([]);
    const admin = await t.adminToken();
    expect(await t.api(admin)(routes.listSessions, {})).toEqual([]);
    const audited = await t.api(admin)(routes.listAudit, { query: { type: 'offline_unlock.reported' } });
    expect(audited.map((e) => e.osUser).sort()).toEqual(['CORP\\bob', 'CORP\\mallory']);
    expect(audited[0]!.detail).toContain('not by the guard');

    // A per-user token cannot even name another user.
    await expect(report(mallory, 'CORP\\admin')).rejects.toMatchObject({ status: 403, code: 'os_user_mismatch' });
  });

  it('only the guard’s report opens a session; none is taken while allowOfflineUnlock is off', async () => {
    const { machine, guard } = await computer();
    const admin = await t.adminToken();
    await t.updateSettings(admin, { allowOfflineUnlock: false });
    for (const token of [machine.clientToken, guard.clientToken]) {
      await expect(report(token, 'CORP\\alice')).rejects.toMatchObject({ status: 409, code: 'offline_unlock_disabled' });
    }
    expect(await t.api(admin)(routes.listOfflineUnlocks, {})).toEqual([]);

    await t.updateSettings(admin, { allowOfflineUnlock: true });
    const { sessionId } = await report(guard.clientToken, 'CORP\\alice');
    expect(sessionId).toEqual(expect.any(String));
    // The guard of an installer-enrolled computer acts with the machine token (SYSTEM-only): the same.
    const byMachine = await report(machine.clientToken, 'CORP\\bob', 'YYYY-YYYY');
    expect(byMachine.sessionId).toEqual(expect.any(String));
    expect((await unlockedOsUsers(guard.clientToken)).sort()).toEqual(['CORP\\alice', 'CORP\\bob']);
  });

  it('removing a Client ends its sessions: none survives in the guard’s list', async () => {
    const { machine, guard } = await computer();
    await unlock(machine.clientId, machine.clientToken, 'CORP\\alice');
    expect(await unlockedOsUsers(guard.clientToken)).toEqual(['CORP\\alice']);

    const admin = await t.adminToken();
    await t.api(admin)(routes.deleteClient, { params: { clientId: machine.clientId } });
    expect(await unlockedOsUsers(guard.clientToken)).toEqual([]);
    const [session] = await t.api(admin)(routes.listSessions, {});
    expect(session!.endedAt).toBe(t.clock.now());
    const [removed] = await t.api(admin)(routes.listAudit, { query: { type: 'client.removed' } });
    expect(removed!.detail).toContain('1 open session(s) ended');
  });

  it('gives a lock enrolled from a user profile no offline key (offline unlock needs the guard); the machine still gets its own', async () => {
    const lock = await enroll('PC-PROFILE', 'lock');
    expect(lock.offlineKey).toBeUndefined();
    expect((await t.api(lock.clientToken)(routes.getPolicy, {})).offlineKey).toBeUndefined();
    expect((await enroll('PC-SHARED', 'machine')).offlineKey).toMatchObject({ version: 1 });
  });
});

describe('attack 2: a re-locked lock keeps heart-beating', () => {
  it('a re-locked session is locked: heartbeats answer 409 session_ended and the guard’s list leaves it out until a new verdict', async () => {
    const { machine, guard } = await computer();
    const alice = await userToken(machine.clientToken, 'CORP\\alice');
    const first = await unlock(machine.clientId, alice, 'CORP\\alice');
    expect(await unlockedOsUsers(guard.clientToken)).toEqual(['CORP\\alice']);

    // Windows unlock: the lock re-locks and tells the server.
    await t.api(alice)(routes.relockSession, { params: { sessionId: first.sessionId } });
    expect(await unlockedOsUsers(guard.clientToken)).toEqual([]);
    // The attack: keep the old session alive with heartbeats, with any token of the computer.
    for (const token of [alice, machine.clientToken]) {
      await expect(t.api(token)(routes.heartbeat, { params: { sessionId: first.sessionId } })).rejects.toMatchObject({
        status: 409,
        code: 'session_ended',
      });
    }
    t.clock.advance(60_000);
    expect(await unlockedOsUsers(guard.clientToken)).toEqual([]);
    // Re-locking again changes nothing and is not an error.
    await t.api(alice)(routes.relockSession, { params: { sessionId: first.sessionId } });

    // A new verdict (a verify for this Client and osUser) opens a new session, which the guard sees.
    const second = await unlock(machine.clientId, alice, 'CORP\\alice');
    expect(second.sessionId).not.toBe(first.sessionId);
    const listed = await t.api(guard.clientToken)(routes.getUnlockedSessions, { query: { nonce: testNonce() } });
    expect(listed.sessions.map((s) => s.sessionId)).toEqual([second.sessionId]);
    await t.api(alice)(routes.heartbeat, { params: { sessionId: second.sessionId } });

    const admin = await t.adminToken();
    expect(await t.api(admin)(routes.listAudit, { query: { type: 'session.relocked' } })).toHaveLength(1);
  });

  it('the guard re-locks any session of its own computer, and no other', async () => {
    const { machine, guard } = await computer();
    const other = await computer('PC-OTHER');
    const { sessionId } = await unlock(machine.clientId, machine.clientToken, 'CORP\\alice');
    await expect(t.api(other.guard.clientToken)(routes.relockSession, { params: { sessionId } })).rejects.toMatchObject({ status: 404 });
    await expect(t.api(other.machine.clientToken)(routes.relockSession, { params: { sessionId } })).rejects.toMatchObject({
      status: 404,
    });
    expect(await unlockedOsUsers(guard.clientToken)).toEqual(['CORP\\alice']);
    await t.api(guard.clientToken)(routes.relockSession, { params: { sessionId } });
    expect(await unlockedOsUsers(guard.clientToken)).toEqual([]);
  });
});

describe('attack 5: users of a shared computer hurt each other', () => {
  it('per-user tokens are made with the machine’s or the guard’s token only', async () => {
    const { machine, guard } = await computer();
    const profileLock = await enroll('PC-PROFILE', 'lock');
    const fromMachine = await t.api(machine.clientToken)(routes.createUserToken, { body: { osUser: 'CORP\\alice' } });
    expect(fromMachine).toEqual({ clientToken: expect.any(String), osUser: 'CORP\\alice' });
    expect(fromMachine.clientToken).not.toBe(machine.clientToken);
    await userToken(guard.clientToken, 'CORP\\alice');
    for (const token of [profileLock.clientToken, fromMachine.clientToken]) {
      await expect(t.api(token)(routes.createUserToken, { body: { osUser: 'CORP\\bob' } })).rejects.toMatchObject({
        status: 403,
        code: 'forbidden',
      });
    }
    // Only its hash is kept (as for Client tokens); it dies with its Client.
    const hashes = await t.query<{ h: Buffer }>('SELECT token_hash AS h FROM client_user_tokens');
    expect(hashes).toHaveLength(2);
    for (const { h } of hashes) expect(h.includes(Buffer.from(fromMachine.clientToken))).toBe(false);
    const admin = await t.adminToken();
    await t.api(admin)(routes.deleteClient, { params: { clientId: machine.clientId } });
    await expect(t.api(fromMachine.clientToken)(routes.getPolicy, {})).rejects.toMatchObject({ status: 401 });
  });

  it('a per-user token acts for its osUser only: another’s requests and sessions are 403 os_user_mismatch or 404', async () => {
    const { machine } = await computer();
    const alice = await userToken(machine.clientToken, 'CORP\\alice');
    const mallory = await userToken(machine.clientToken, 'CORP\\mallory');
    const email = 'alice@corp.example.com';

    // Alice's pending request and her unlocked session.
    const pending = await t.api(alice)(routes.createOtpRequest, { body: { osUser: 'corp\\ALICE', method: 'emergency', email } });
    const { sessionId, otp } = await unlock(machine.clientId, alice, 'CORP\\alice');

    // The attack: with her own token, Mallory acts on Alice.
    const mismatch = { status: 403, code: 'os_user_mismatch' };
    await expect(
      t.api(mallory)(routes.createOtpRequest, { body: { osUser: 'CORP\\alice', method: 'emergency', email } }),
    ).rejects.toMatchObject(mismatch);
    await expect(
      t.api(mallory)(routes.verifyOtp, { body: { osUser: 'CORP\\alice', email, otp, nonce: testNonce() } }),
    ).rejects.toMatchObject({
      status: 401,
      code: 'access_denied',
    });
    const params = { requestId: pending.requestId };
    const notFound = { status: 404, code: 'not_found' };
    await expect(t.api(mallory)(routes.getOtpRequest, { params }), 'status').rejects.toMatchObject(notFound);
    await expect(t.api(mallory)(routes.cancelOtpRequest, { params }), 'cancel').rejects.toMatchObject(notFound);
    await expect(t.api(mallory)(routes.resendOtp, { params }), 'resend').rejects.toMatchObject(notFound);
    const session = { params: { sessionId } };
    await expect(t.api(mallory)(routes.heartbeat, session), 'heartbeat').rejects.toMatchObject(notFound);
    await expect(t.api(mallory)(routes.relockSession, session), 'relock').rejects.toMatchObject(notFound);
    await expect(t.api(mallory)(routes.endSession, session), 'end').rejects.toMatchObject(notFound);
    await expect(
      t.api(mallory)(routes.postSessionEvents, { ...session, body: { events: [{ type: 'signed_out', at: t.clock.now() }] } }),
      'events',
    ).rejects.toMatchObject(notFound);
    // A refused-verdict report naming Alice, or her session, neither is recorded for her nor ends it.
    await expect(
      t.api(mallory)(routes.reportVerdictFailures, {
        body: { failures: [{ osUser: 'CORP\\alice', reason: 'missing', at: t.clock.now() }] },
      }),
    ).rejects.toMatchObject(mismatch);
    await t.api(mallory)(routes.reportVerdictFailures, {
      body: { failures: [{ osUser: 'CORP\\mallory', reason: 'missing', at: t.clock.now(), sessionId }] },
    });

    // Alice's own token does all of it; her request and session are untouched.
    expect(await t.api(alice)(routes.getOtpRequest, { params })).toMatchObject({ status: 'pending' });
    await t.api(alice)(routes.heartbeat, session);
    await t.api(alice)(routes.postSessionEvents, { ...session, body: { events: [{ type: 'active', at: t.clock.now() }] } });
    const admin = await t.adminToken();
    expect((await t.api(admin)(routes.listSessions, {})).find((s) => s.sessionId === sessionId)?.endedAt).toBeNull();
  });

  it('on a machine Client the interval and the open-request cap count per osUser', async () => {
    const { machine } = await computer();
    const admin = await t.adminToken();
    await t.updateSettings(admin, { otpRequestIntervalMinutes: 10 });
    const alice = await userToken(machine.clientToken, 'CORP\\alice');

    // Another user's OTP was just issued, and five other users' requests wait (the attack: use up the computer's).
    await unlock(machine.clientId, machine.clientToken, 'CORP\\mallory');
    for (let i = 1; i <= 5; i++) {
      await t.api(machine.clientToken)(routes.createOtpRequest, {
        body: { osUser: `CORP\\user${i}`, method: 'email', email: `user${i}@corp.example.com` },
      });
    }
    // Alice still gets hers.
    const mine = await t.api(alice)(routes.createOtpRequest, {
      body: { osUser: 'CORP\\alice', method: 'email', email: 'alice@corp.example.com' },
    });
    expect(mine.status).toBe('pending');
    // Her own interval still holds: once one was issued for her, the next waits.
    await unlock(machine.clientId, alice, 'CORP\\alice');
    await expect(
      t.api(alice)(routes.createOtpRequest, { body: { osUser: 'CORP\\alice', method: 'email', email: 'alice@corp.example.com' } }),
    ).rejects.toMatchObject({ status: 429, code: 'otp_interval' });
  });
});
