import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildTestApp, bearer, type TestApp } from '../../helper.js';
import { createRequestWatch } from '../../../src/otp/request-watch.js';

// The seed's flow for people (issue 11): emergency past the interval, cancel, denial comment, long-poll, mail times.
let t: TestApp;
let admin: string;
beforeEach(async () => {
  t = await buildTestApp({ env: { LATCHKEY_TIME_ZONE: 'Europe/Berlin' } });
  admin = await t.adminToken();
});
afterEach(async () => {
  await t.destroy();
});

const MINUTE = 60_000;

function create(token: string, body: Record<string, unknown>) {
  return t.app.inject({ method: 'POST', url: '/api/v1/otp/requests', headers: bearer(token), payload: body });
}
function status(token: string, requestId: string, query = '') {
  return t.app.inject({ method: 'GET', url: `/api/v1/otp/requests/${requestId}${query}`, headers: bearer(token) });
}
function cancel(token: string, requestId: string) {
  return t.app.inject({ method: 'POST', url: `/api/v1/otp/requests/${requestId}/cancel`, headers: bearer(token) });
}
function decide(requestId: string, decision: 'approve' | 'deny', comment?: string) {
  return t.app.inject({
    method: 'POST',
    url: `/api/v1/admin/access-requests/${requestId}/${decision}`,
    headers: bearer(admin),
    payload: comment === undefined ? {} : { comment },
  });
}

describe('emergency always reaches a person', () => {
  it('is not refused by the interval, and approving it issues the OTP whatever the interval; email still is refused', async () => {
    await t.updateSettings(admin, { otpRequestIntervalMinutes: 60 });
    const { clientToken } = await t.enroll('PC-TRAP');
    const first = await create(clientToken, { osUser: 'CORP\\ned', method: 'email', email: 'ned@corp.example.com' });
    expect((await decide(first.json().requestId, 'approve')).statusCode).toBe(200);

    t.clock.advance(10 * MINUTE);
    const email = await create(clientToken, { osUser: 'CORP\\olga', method: 'email', email: 'olga@corp.example.com' });
    expect(email.statusCode).toBe(429);
    expect(email.json().error.code).toBe('otp_interval');

    const emergency = await create(clientToken, { osUser: 'CORP\\olga', method: 'emergency', email: 'olga@corp.example.com' });
    expect(emergency.statusCode).toBe(201);
    expect(emergency.json().status).toBe('pending');
    const staffNotice = await t.smtp.waitFor((m) => m.to.includes('admin@corp.example.com') && m.subject.startsWith('Emergency'));
    expect(staffNotice.text).toContain('CORP\\olga');

    const approved = await decide(emergency.json().requestId, 'approve');
    expect(approved.statusCode).toBe(200);
    expect(approved.json().status).toBe('sent');
    await t.smtp.waitFor((m) => m.to.includes('olga@corp.example.com') && m.subject.startsWith('Your one-time password'));
  });
});

describe('cancelling a request ("Use a different email")', () => {
  it('cancels the Client’s own pending request, which can then not be approved; audited', async () => {
    const { clientToken } = await t.enroll('PC-TYPO');
    const created = await create(clientToken, { osUser: 'CORP\\alice', method: 'email', email: 'alcie@corp.example.com' });
    const requestId = created.json().requestId as string;

    const res = await cancel(clientToken, requestId);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ requestId, status: 'cancelled', email: 'alcie@corp.example.com' });
    expect((await status(clientToken, requestId)).json().status).toBe('cancelled');
    expect((await decide(requestId, 'approve')).statusCode).toBe(409);
    expect((await cancel(clientToken, requestId)).json().error.code).toBe('not_pending');

    const audit = await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit?limit=20', headers: bearer(admin) });
    expect(
      (audit.json() as { type: string; requestId: string }[]).some(
        (e) => e.type === 'access_request.cancelled' && e.requestId === requestId,
      ),
    ).toBe(true);
  });

  it('another Client cannot cancel it (answered like a request that does not exist)', async () => {
    const owner = await t.enroll('PC-OWNER');
    const other = await t.enroll('PC-OTHER');
    const created = await create(owner.clientToken, { osUser: 'CORP\\alice', method: 'email', email: 'alice@corp.example.com' });
    const res = await cancel(other.clientToken, created.json().requestId);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    expect((await status(owner.clientToken, created.json().requestId)).json().status).toBe('pending');
  });

  it('a decided or lapsed request cannot be cancelled', async () => {
    const { clientToken } = await t.enroll('PC-LATE');
    const approved = await create(clientToken, { osUser: 'CORP\\a', method: 'email', email: 'a@corp.example.com' });
    await decide(approved.json().requestId, 'approve');
    expect((await cancel(clientToken, approved.json().requestId)).statusCode).toBe(409);

    await t.updateSettings(admin, { otpRequestIntervalMinutes: 0 });
    const lapsing = await create(clientToken, { osUser: 'CORP\\b', method: 'email', email: 'b@corp.example.com' });
    t.clock.advance(31 * MINUTE);
    expect((await cancel(clientToken, lapsing.json().requestId)).statusCode).toBe(409);
  });
});

describe('the status a Client reads', () => {
  it('carries the approver’s comment on a denial', async () => {
    const { clientToken } = await t.enroll('PC-DENY');
    const created = await create(clientToken, { osUser: 'CORP\\mo', method: 'email', email: 'mo@corp.example.com' });
    await decide(created.json().requestId, 'deny', 'Not a company address; call 1234');
    expect((await status(clientToken, created.json().requestId)).json()).toMatchObject({
      status: 'denied',
      comment: 'Not a company address; call 1234',
    });
  });

  it('long-poll: a held status call is answered when the request is decided', async () => {
    const { clientToken } = await t.enroll('PC-HOLD');
    const created = await create(clientToken, { osUser: 'CORP\\al', method: 'email', email: 'al@corp.example.com' });
    const requestId = created.json().requestId as string;
    const held = status(clientToken, requestId, '?waitSeconds=25');
    await vi.waitFor(() => expect(t.app.requestWatch.size()).toBe(1));
    const started = performance.now();
    await decide(requestId, 'approve');
    const answer = await held;
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(answer.json().status).toBe('sent');
    expect(t.app.requestWatch.size()).toBe(0);
  });

  it('long-poll: answers at once when the request is not pending, and refuses a malformed wait', async () => {
    const { clientToken } = await t.enroll('PC-NOHOLD');
    const created = await create(clientToken, { osUser: 'CORP\\al', method: 'email', email: 'al@corp.example.com' });
    await decide(created.json().requestId, 'deny');
    const started = performance.now();
    expect((await status(clientToken, created.json().requestId, '?waitSeconds=25')).json().status).toBe('denied');
    expect(performance.now() - started).toBeLessThan(1_000);
    expect((await status(clientToken, created.json().requestId, '?waitSeconds=soon')).statusCode).toBe(400);
    expect((await status(clientToken, created.json().requestId, '?wait=1')).statusCode).toBe(400);
  });

  it('long-poll: a Client that goes away frees its held call, and closing the server answers every held call', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const { clientToken } = await t.enroll('PC-GONE');
    const created = await create(clientToken, { osUser: 'CORP\\al', method: 'email', email: 'al@corp.example.com' });
    const url = `http://127.0.0.1:${port}/api/v1/otp/requests/${created.json().requestId}?waitSeconds=25`;
    const abort = new AbortController();
    const gone = fetch(url, { headers: bearer(clientToken), signal: abort.signal }).catch(() => 'aborted');
    await vi.waitFor(() => expect(t.app.requestWatch.size()).toBe(1));
    abort.abort();
    expect(await gone).toBe('aborted');
    await vi.waitFor(() => expect(t.app.requestWatch.size()).toBe(0));

    const stays = fetch(url, { headers: bearer(clientToken) });
    await vi.waitFor(() => expect(t.app.requestWatch.size()).toBe(1));
    const started = performance.now();
    await t.app.close();
    expect((await stays).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe('the request watch', () => {
  it('holds 2,000 waits with one entry each, wakes only the decided request, and keeps the heap small', async () => {
    const watch = createRequestWatch();
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    const woken: string[] = [];
    const waits = Array.from({ length: 2_000 }, (_, i) => watch.wait(`req-${i}`, 60_000).then(() => void woken.push(`req-${i}`)));
    expect(watch.size()).toBe(2_000);
    const perWait = (process.memoryUsage().heapUsed - before) / 2_000;
    // A closure, a timer and a Set entry: well under 2 KiB each (no buffers, no per-wait emitters).
    expect(perWait).toBeLessThan(2_048);
    watch.notify('req-7');
    await vi.waitFor(() => expect(woken).toEqual(['req-7']));
    expect(watch.size()).toBe(1_999);
    watch.wakeAll();
    await Promise.all(waits);
    expect(watch.size()).toBe(0);
  });
});

describe('mail times', () => {
  it('give the time with its UTC offset and as a duration, in LATCHKEY_TIME_ZONE', async () => {
    const { clientToken } = await t.enroll('PC-MAIL');
    const created = await create(clientToken, { osUser: 'CORP\\al', method: 'email', email: 'al@corp.example.com' });
    const notice = await t.smtp.waitFor((m) => m.to.includes('admin@corp.example.com'));
    // The manual clock starts at 09:00 UTC on 5 January 2026: 10:00 in Berlin (UTC+01:00).
    expect(notice.text).toContain('Lapses in: 30 minutes, until 10:30 UTC+01:00 on 5 January 2026');
    t.clock.advance(5 * MINUTE);
    await decide(created.json().requestId, 'approve');
    const mail = await t.smtp.waitFor((m) => m.to.includes('al@corp.example.com'));
    expect(mail.text).toContain('It works once and is valid for 30 minutes, until 10:35 UTC+01:00 on 5 January 2026.');
    expect(mail.html).toContain('valid for 30 minutes, until 10:35 UTC+01:00 on 5 January 2026');
  });
});
