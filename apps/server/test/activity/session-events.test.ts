import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTIVITY_BATCH_MAX } from '@latchkey/contracts';
import { buildTestApp, bearer, type TestApp } from '../helper.js';
import { otpFromMail } from '@latchkey/test-support';

let t: TestApp;
beforeEach(async () => {
  t = await buildTestApp();
});
afterEach(async () => {
  await t.destroy();
});

const MINUTE = 60_000;

/** A real session: request, approval, the mailed OTP, verify. */
async function unlockedSession(computer = 'PC-0001', osUser = 'CORP\\alice') {
  const { clientId, clientToken } = await t.enroll(computer);
  const email = `${osUser.split('\\').pop()}.${computer.toLowerCase()}@corp.example.com`;
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/otp/requests',
    headers: bearer(clientToken),
    payload: { osUser, method: 'email', email },
  });
  const admin = await t.adminToken();
  await t.app.inject({
    method: 'POST',
    url: `/api/v1/admin/access-requests/${created.json().requestId}/approve`,
    headers: bearer(admin),
    payload: {},
  });
  const mail = await t.smtp.waitFor((m) => m.to.includes(email) && m.subject.startsWith('Your one-time password'));
  const verified = await t.app.inject({
    method: 'POST',
    url: '/api/v1/otp/verify',
    headers: bearer(clientToken),
    payload: { osUser, email, otp: otpFromMail(mail) },
  });
  expect(verified.statusCode).toBe(200);
  return { clientId, clientToken, admin, sessionId: verified.json().sessionId as string };
}

const post = (token: string, sessionId: string, payload: unknown) =>
  t.app.inject({ method: 'POST', url: `/api/v1/sessions/${sessionId}/events`, headers: bearer(token), payload: payload as object });
const list = (admin: string, sessionId: string) =>
  t.app.inject({ method: 'GET', url: `/api/v1/admin/sessions/${sessionId}/events`, headers: bearer(admin) });

describe('session activity events', () => {
  it('stores a batch sorted and once, and a retried batch changes nothing', async () => {
    const s = await unlockedSession();
    const at = t.clock.now();
    const events = [
      { type: 'idle', at: at + 2 * MINUTE },
      { type: 'unlock.otp', at },
      { type: 'active', at: at + 3 * MINUTE },
      { type: 'idle', at: at + 2 * MINUTE },
    ];
    t.clock.advance(5 * MINUTE);
    expect((await post(s.clientToken, s.sessionId, { events })).statusCode).toBe(204);
    expect((await post(s.clientToken, s.sessionId, { events })).statusCode).toBe(204);
    const res = await list(s.admin, s.sessionId);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([
      { type: 'unlock.otp', at },
      { type: 'idle', at: at + 2 * MINUTE },
      { type: 'active', at: at + 3 * MINUTE },
    ]);
  });

  it('keeps events after a restart (they are committed before the 204)', async () => {
    const s = await unlockedSession();
    const at = t.clock.now();
    expect((await post(s.clientToken, s.sessionId, { events: [{ type: 'screen.locked', at }] })).statusCode).toBe(204);
    t = await t.restart();
    const admin = await t.adminToken();
    expect((await list(admin, s.sessionId)).json()).toEqual([{ type: 'screen.locked', at }]);
  });

  it("refuses another Client's session as not found, and stores nothing", async () => {
    const s = await unlockedSession('PC-0001');
    const other = await t.enroll('PC-0002');
    const res = await post(other.clientToken, s.sessionId, { events: [{ type: 'signed_out', at: t.clock.now() }] });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    expect((await list(s.admin, s.sessionId)).json()).toEqual([]);
  });

  it('refuses callers without a Client token, and admin tokens', async () => {
    const s = await unlockedSession();
    const payload = { events: [{ type: 'idle', at: t.clock.now() }] };
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/sessions/${s.sessionId}/events`, payload })).statusCode).toBe(401);
    expect((await post('not-a-token', s.sessionId, payload)).statusCode).toBe(401);
    expect((await post(s.admin, s.sessionId, payload)).statusCode).toBe(401);
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
      const res = await post(s.clientToken, s.sessionId, payload);
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      expect(res.json().error.code).toBe('invalid_request');
      expect(res.body).not.toContain('Payroll');
    }
    // One bad event refuses the whole batch: nothing half-stored.
    expect((await list(s.admin, s.sessionId)).json()).toEqual([]);
    const max = Array.from({ length: ACTIVITY_BATCH_MAX }, (_, i) => ({ type: i % 2 ? 'active' : 'idle', at: at + i }));
    expect((await post(s.clientToken, s.sessionId, { events: max })).statusCode).toBe(204);
    expect((await list(s.admin, s.sessionId)).json()).toHaveLength(ACTIVITY_BATCH_MAX);
  });

  it('takes late events for an ended session (sent after an outage)', async () => {
    const s = await unlockedSession();
    const at = t.clock.now();
    t.clock.advance(10 * MINUTE);
    await t.app.inject({ method: 'POST', url: `/api/v1/sessions/${s.sessionId}/end`, headers: bearer(s.clientToken) });
    expect((await post(s.clientToken, s.sessionId, { events: [{ type: 'ended', at: at + 10 * MINUTE }] })).statusCode).toBe(204);
    expect((await list(s.admin, s.sessionId)).json()).toEqual([{ type: 'ended', at: at + 10 * MINUTE }]);
  });

  it('lists events for staff only; an unknown session is not found', async () => {
    const s = await unlockedSession();
    await t.createUser(s.admin, { login: 'helen', role: 'helpdesk' });
    await t.createUser(s.admin, { login: 'ursula', role: 'user', password: 'user-password-1' });
    const helpdesk = await t.adminToken('helen', 'helen-password-1');
    expect((await list(helpdesk, s.sessionId)).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/admin/sessions/${s.sessionId}/events` })).statusCode).toBe(401);
    expect((await list(s.clientToken, s.sessionId)).statusCode).toBe(401);
    expect((await list(s.admin, 'no-such-session-0001')).statusCode).toBe(404);
  });
});

describe('osUsers seen on a Client', () => {
  it('lists the names the Client reported, most recent first, not names typed into Generate Password', async () => {
    const s = await unlockedSession('PC-FIN-07', 'CORP\\frank');
    await t.updateSettings(s.admin, { otpRequestIntervalMinutes: 0 });
    t.clock.advance(MINUTE);
    const second = await t.app.inject({
      method: 'POST',
      url: '/api/v1/otp/requests',
      headers: bearer(s.clientToken),
      payload: { osUser: 'CORP\\grace', method: 'email', email: 'grace@corp.example.com' },
    });
    expect(second.statusCode).toBe(201);
    t.clock.advance(MINUTE);
    const generated = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/otp',
      headers: bearer(s.admin),
      payload: { clientId: s.clientId, osUser: 'frank', email: 'frank@corp.example.com' },
    });
    expect(generated.statusCode).toBe(201);
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/admin/clients/${s.clientId}/os-users`, headers: bearer(s.admin) });
    expect(res.statusCode).toBe(200);
    expect(res.json().map((u: { osUser: string }) => u.osUser)).toEqual(['CORP\\grace', 'CORP\\frank']);
    const missing = await t.app.inject({
      method: 'GET',
      url: '/api/v1/admin/clients/no-such-client-01/os-users',
      headers: bearer(s.admin),
    });
    expect(missing.statusCode).toBe(404);
  });
});
