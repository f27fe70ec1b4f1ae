import type { AddressInfo } from 'node:net';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { buildUrl, routes, type OtpRequestBody } from '@latchkey/contracts';
import { bearer, useTestApp } from '../../helper.js';
import { createRequestWatch } from '../../../src/otp/request-watch.js';

// The seed's flow for people (issue 11): emergency past the interval, cancel, denial comment, long-poll, mail times.
const t = useTestApp({ env: { LATCHKEY_TIME_ZONE: 'Europe/Berlin' } });
let admin: string;
beforeEach(async () => {
  admin = await t.adminToken();
});

const MINUTE = 60_000;

const create = (token: string, body: OtpRequestBody) => t.api(token)(routes.createOtpRequest, { body });
const status = (token: string, requestId: string, waitSeconds?: string) =>
  t.api(token)(routes.getOtpRequest, { params: { requestId }, ...(waitSeconds === undefined ? {} : { query: { waitSeconds } }) });
const cancel = (token: string, requestId: string) => t.api(token)(routes.cancelOtpRequest, { params: { requestId } });
const decide = (requestId: string, decision: 'approve' | 'deny', comment?: string) =>
  t.api(admin)(decision === 'approve' ? routes.approveAccessRequest : routes.denyAccessRequest, {
    params: { requestId },
    body: comment === undefined ? {} : { comment },
  });

describe('emergency always reaches a person', () => {
  it('is not refused by the interval, and approving it issues the OTP whatever the interval; email still is refused', async () => {
    await t.updateSettings(admin, { otpRequestIntervalMinutes: 60 });
    const { clientToken } = await t.enroll('PC-TRAP');
    const first = await create(clientToken, { osUser: 'CORP\\ned', method: 'email', email: 'ned@corp.example.com' });
    await decide(first.requestId, 'approve');

    t.clock.advance(10 * MINUTE);
    await expect(create(clientToken, { osUser: 'CORP\\olga', method: 'email', email: 'olga@corp.example.com' })).rejects.toMatchObject({
      status: 429,
      code: 'otp_interval',
    });

    const emergency = await create(clientToken, { osUser: 'CORP\\olga', method: 'emergency', email: 'olga@corp.example.com' });
    expect(emergency.status).toBe('pending');
    const staffNotice = await t.smtp.waitFor((m) => m.to.includes('admin@corp.example.com') && m.subject.startsWith('Emergency'));
    expect(staffNotice.text).toContain('CORP\\olga');

    const approved = await decide(emergency.requestId, 'approve');
    expect(approved.status).toBe('sent');
    await t.smtp.waitFor((m) => m.to.includes('olga@corp.example.com') && m.subject.startsWith('Your one-time password'));
  });
});

describe('cancelling a request ("Use a different email")', () => {
  it('cancels the Client’s own pending request, which can then not be approved; audited', async () => {
    const { clientToken } = await t.enroll('PC-TYPO');
    const { requestId } = await create(clientToken, { osUser: 'CORP\\alice', method: 'email', email: 'alcie@corp.example.com' });

    expect(await cancel(clientToken, requestId)).toMatchObject({ requestId, status: 'cancelled', email: 'alcie@corp.example.com' });
    expect((await status(clientToken, requestId)).status).toBe('cancelled');
    await expect(decide(requestId, 'approve')).rejects.toMatchObject({ status: 409 });
    await expect(cancel(clientToken, requestId)).rejects.toMatchObject({ code: 'not_pending' });

    const audit = await t.api(admin)(routes.listAudit, { query: { limit: '20' } });
    expect(audit.some((e) => e.type === 'access_request.cancelled' && e.requestId === requestId)).toBe(true);
  });

  it('another Client cannot cancel it (answered like a request that does not exist)', async () => {
    const owner = await t.enroll('PC-OWNER');
    const other = await t.enroll('PC-OTHER');
    const { requestId } = await create(owner.clientToken, { osUser: 'CORP\\alice', method: 'email', email: 'alice@corp.example.com' });
    await expect(cancel(other.clientToken, requestId)).rejects.toMatchObject({ status: 404, code: 'not_found' });
    expect((await status(owner.clientToken, requestId)).status).toBe('pending');
  });

  it('a denied or lapsed request cannot be cancelled (a sent one can: "Wrong address?", test/helpdesk)', async () => {
    const { clientToken } = await t.enroll('PC-LATE');
    const denied = await create(clientToken, { osUser: 'CORP\\a', method: 'email', email: 'a@corp.example.com' });
    await decide(denied.requestId, 'deny');
    await expect(cancel(clientToken, denied.requestId)).rejects.toMatchObject({ status: 409 });

    await t.updateSettings(admin, { otpRequestIntervalMinutes: 0 });
    const lapsing = await create(clientToken, { osUser: 'CORP\\b', method: 'email', email: 'b@corp.example.com' });
    t.clock.advance(31 * MINUTE);
    await expect(cancel(clientToken, lapsing.requestId)).rejects.toMatchObject({ status: 409 });
  });
});

describe('the status a Client reads', () => {
  it('carries the approver’s comment on a denial', async () => {
    const { clientToken } = await t.enroll('PC-DENY');
    const { requestId } = await create(clientToken, { osUser: 'CORP\\mo', method: 'email', email: 'mo@corp.example.com' });
    await decide(requestId, 'deny', 'Not a company address; call 1234');
    expect(await status(clientToken, requestId)).toMatchObject({
      status: 'denied',
      comment: 'Not a company address; call 1234',
    });
  });

  it('long-poll: a held status call is answered when the request is decided', async () => {
    const { clientToken } = await t.enroll('PC-HOLD');
    const { requestId } = await create(clientToken, { osUser: 'CORP\\al', method: 'email', email: 'al@corp.example.com' });
    const held = status(clientToken, requestId, '25');
    await vi.waitFor(() => expect(t.app.requestWatch.size()).toBe(1));
    const started = performance.now();
    await decide(requestId, 'approve');
    const answer = await held;
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(answer.status).toBe('sent');
    expect(t.app.requestWatch.size()).toBe(0);
  });

  it('long-poll: answers at once when the request is not pending, and refuses a malformed wait', async () => {
    const { clientToken } = await t.enroll('PC-NOHOLD');
    const { requestId } = await create(clientToken, { osUser: 'CORP\\al', method: 'email', email: 'al@corp.example.com' });
    await decide(requestId, 'deny');
    const started = performance.now();
    expect((await status(clientToken, requestId, '25')).status).toBe('denied');
    expect(performance.now() - started).toBeLessThan(1_000);
    // Queries the schema refuses, sent unchecked: the server must refuse them itself.
    const malformed: Record<string, string>[] = [{ waitSeconds: 'soon' }, { wait: '1' }];
    for (const query of malformed) {
      const res = await t.send(routes.getOtpRequest, { token: clientToken, params: { requestId }, query });
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
    }
  });

  it('long-poll: a Client that goes away frees its held call, and closing the server answers every held call', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const { clientToken } = await t.enroll('PC-GONE');
    const { requestId } = await create(clientToken, { osUser: 'CORP\\al', method: 'email', email: 'al@corp.example.com' });
    // Over a real socket: only a connection can go away.
    const url = `http://127.0.0.1:${port}${buildUrl(routes.getOtpRequest.url, { requestId }, { waitSeconds: '25' })}`;
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
    const { requestId } = await create(clientToken, { osUser: 'CORP\\al', method: 'email', email: 'al@corp.example.com' });
    const notice = await t.smtp.waitFor((m) => m.to.includes('admin@corp.example.com'));
    // The manual clock starts at 09:00 UTC on 5 January 2026: 10:00 in Berlin (UTC+01:00).
    expect(notice.text).toContain('Lapses in: 30 minutes, until 10:30 UTC+01:00 on 5 January 2026');
    t.clock.advance(5 * MINUTE);
    await decide(requestId, 'approve');
    const mail = await t.smtp.waitFor((m) => m.to.includes('al@corp.example.com'));
    expect(mail.text).toContain('It works once and is valid for 30 minutes, until 10:35 UTC+01:00 on 5 January 2026.');
    expect(mail.html).toContain('valid for 30 minutes, until 10:35 UTC+01:00 on 5 January 2026');
  });
});
