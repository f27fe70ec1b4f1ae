import { describe, expect, it } from 'vitest';
import { ACTIVITY_BATCH_MAX, routes, type ActivityEvent } from '@latchkey/contracts';
import { otpFromMail, testNonce } from '@latchkey/test-support';
import { useTestApp } from '../helper.js';

const t = useTestApp();
const MINUTE = 60_000;

/** A real session: request, approval, the mailed OTP, verify. */
async function unlockedSession(computer = 'PC-0001', osUser = 'CORP\\alice') {
  const { clientId, clientToken } = await t.enroll(computer);
  const email = `${osUser.split('\\').pop()}.${computer.toLowerCase()}@corp.example.com`;
  const { requestId } = await t.api(clientToken)(routes.createOtpRequest, { body: { osUser, method: 'email', email } });
  const admin = await t.adminToken();
  await t.api(admin)(routes.approveAccessRequest, { params: { requestId }, body: {} });
  const mail = await t.smtp.waitFor((m) => m.to.includes(email) && m.subject.startsWith('Your one-time password'));
  const { sessionId } = await t.api(clientToken)(routes.verifyOtp, { body: { osUser, email, otp: otpFromMail(mail), nonce: testNonce() } });
  return { clientId, clientToken, admin, sessionId: sessionId! };
}

const post = (token: string, sessionId: string, events: ActivityEvent[]) =>
  t.api(token)(routes.postSessionEvents, { params: { sessionId }, body: { events } });
/** A batch the schema may refuse, sent unchecked; the raw answer. */
const postRaw = (token: string | undefined, sessionId: string, body: unknown) =>
  t.send(routes.postSessionEvents, { params: { sessionId }, body, ...(token ? { token } : {}) });
const list = (token: string, sessionId: string) => t.api(token)(routes.listSessionEvents, { params: { sessionId } });

describe('session activity events', () => {
  it('stores a batch sorted and once, and a retried batch changes nothing', async () => {
    const s = await unlockedSession();
    const at = t.clock.now();
    const events: ActivityEvent[] = [
      { type: 'idle', at: at + 2 * MINUTE },
      { type: 'unlock.otp', at },
      { type: 'active', at: at + 3 * MINUTE },
      { type: 'idle', at: at + 2 * MINUTE },
    ];
    t.clock.advance(5 * MINUTE);
    await post(s.clientToken, s.sessionId, events);
    await post(s.clientToken, s.sessionId, events);
    expect(await list(s.admin, s.sessionId)).toEqual([
      { type: 'unlock.otp', at },
      { type: 'idle', at: at + 2 * MINUTE },
      { type: 'active', at: at + 3 * MINUTE },
    ]);
  });

  it('keeps events after a restart (they are committed before the 204)', async () => {
    const s = await unlockedSession();
    const at = t.clock.now();
    await post(s.clientToken, s.sessionId, [{ type: 'screen.locked', at }]);
    await t.restart();
    const admin = await t.adminToken();
    expect(await list(admin, s.sessionId)).toEqual([{ type: 'screen.locked', at }]);
  });

  it("refuses another Client's session as not found, and stores nothing", async () => {
    const s = await unlockedSession('PC-0001');
    const other = await t.enroll('PC-0002');
    await expect(post(other.clientToken, s.sessionId, [{ type: 'signed_out', at: t.clock.now() }])).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
    });
    expect(await list(s.admin, s.sessionId)).toEqual([]);
  });

  it('refuses callers without a Client token, and admin tokens', async () => {
    const s = await unlockedSession();
    const events: ActivityEvent[] = [{ type: 'idle', at: t.clock.now() }];
    expect((await postRaw(undefined, s.sessionId, { events })).statusCode).toBe(401);
    await expect(post('not-a-token', s.sessionId, events)).rejects.toMatchObject({ status: 401 });
    await expect(post(s.admin, s.sessionId, events)).rejects.toMatchObject({ status: 401 });
  });

  it('validates the batch: unknown types and fields, empty, too large, dates outside the session', async () => {
    const s = await unlockedSession();
    const at = t.clock.now();
    const bad = [
      {},
      { events: [] },
      { events: [{ type: 'keystroke', at }] },
      { events: [{ type: 'idle', at, windowTitle: 'Payroll.xlsx' }] },
      { events: [{ type: 'idle', at: String(at) }] },
      { events: [{ type: 'idle', at }], extra: true },
      { events: Array.from({ length: ACTIVITY_BATCH_MAX + 1 }, (_, i) => ({ type: 'idle', at: at + i })) },
      { events: [{ type: 'idle', at: at - 60 * MINUTE }] },
      { events: [{ type: 'idle', at: at + 60 * MINUTE }] },
    ];
    for (const payload of bad) {
      const res = await postRaw(s.clientToken, s.sessionId, payload);
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      expect(res.json().error.code).toBe('invalid_request');
      expect(res.body).not.toContain('Payroll');
    }
    // One bad event refuses the whole batch: nothing half-stored.
    expect(await list(s.admin, s.sessionId)).toEqual([]);
    const max = Array.from({ length: ACTIVITY_BATCH_MAX }, (_, i): ActivityEvent => ({ type: i % 2 ? 'active' : 'idle', at: at + i }));
    await post(s.clientToken, s.sessionId, max);
    expect(await list(s.admin, s.sessionId)).toHaveLength(ACTIVITY_BATCH_MAX);
  });

  it('takes late events for an ended session (sent after an outage)', async () => {
    const s = await unlockedSession();
    const at = t.clock.now();
    t.clock.advance(10 * MINUTE);
    await t.api(s.clientToken)(routes.endSession, { params: { sessionId: s.sessionId } });
    await post(s.clientToken, s.sessionId, [{ type: 'ended', at: at + 10 * MINUTE }]);
    expect(await list(s.admin, s.sessionId)).toEqual([{ type: 'ended', at: at + 10 * MINUTE }]);
  });

  it('lists events for staff only; an unknown session is not found', async () => {
    const s = await unlockedSession();
    await t.createUser(s.admin, { login: 'helen', role: 'helpdesk' });
    await t.createUser(s.admin, { login: 'ursula', role: 'user', password: 'user-password-1' });
    const helpdesk = await t.adminToken('helen', 'helen-password-1');
    expect(await list(helpdesk, s.sessionId)).toEqual([]);
    await expect(t.api()(routes.listSessionEvents, { params: { sessionId: s.sessionId } })).rejects.toMatchObject({ status: 401 });
    await expect(list(s.clientToken, s.sessionId)).rejects.toMatchObject({ status: 401 });
    await expect(list(s.admin, 'no-such-session-0001')).rejects.toMatchObject({ status: 404 });
  });
});

describe('osUsers seen on a Client', () => {
  it('lists the names the Client reported, most recent first, not names typed into Generate Password', async () => {
    const s = await unlockedSession('PC-FIN-07', 'CORP\\frank');
    await t.updateSettings(s.admin, { otpRequestIntervalMinutes: 0 });
    t.clock.advance(MINUTE);
    await t.api(s.clientToken)(routes.createOtpRequest, {
      body: { osUser: 'CORP\\grace', method: 'email', email: 'grace@corp.example.com' },
    });
    t.clock.advance(MINUTE);
    await t.api(s.admin)(routes.generateOtp, { body: { clientId: s.clientId, osUser: 'frank', email: 'frank@corp.example.com' } });
    const osUsers = await t.api(s.admin)(routes.listClientOsUsers, { params: { clientId: s.clientId } });
    expect(osUsers.map((u) => u.osUser)).toEqual(['CORP\\grace', 'CORP\\frank']);
    await expect(t.api(s.admin)(routes.listClientOsUsers, { params: { clientId: 'no-such-client-01' } })).rejects.toMatchObject({
      status: 404,
    });
  });
});
