import { afterEach, describe, expect, it } from 'vitest';
import { ACTIVITY_BATCH_MAX, routes, type ActivityEvent } from '@latchkey/contracts';
import { injectApi, otpFromMail, refusalOf, testNonce } from '@latchkey/test-support';
import { ENROLLMENT_KEY, buildTestApp, useTestApp, type TestApp } from '../helper.js';

/** The smaller holes of issue 24 (item 6), each performed over the API the way it was reported. */
const t = useTestApp({ env: { LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE: '100000' } });

describe('self-approval by a mailbox alias', () => {
  async function helpdeskHank() {
    const admin = await t.adminToken();
    await t.createUser(admin, { login: 'hank', role: 'helpdesk' });
    return { admin, hank: await t.adminToken('hank', 'hank-password-1'), desktop: await t.enroll('FINANCE-01') };
  }

  it('hank approves an emergency request for Hank+CFO@corp.example.com: 403 self_approval, still pending', async () => {
    const { hank, desktop } = await helpdeskHank();
    const { requestId } = await t.api(desktop.clientToken)(routes.createOtpRequest, {
      body: { osUser: 'CORP\\cfo', method: 'emergency', email: 'Hank+CFO@corp.example.com', reason: 'forgot' },
    });
    await expect(t.api(hank)(routes.approveAccessRequest, { params: { requestId }, body: {} })).rejects.toMatchObject({
      status: 403,
      code: 'self_approval',
    });
    expect(await t.api(desktop.clientToken)(routes.getOtpRequest, { params: { requestId } })).toMatchObject({ status: 'pending' });
  });

  it('hank generates a password for himself, with and without an alias: 403 self_approval, nothing mailed', async () => {
    const { admin, hank, desktop } = await helpdeskHank();
    for (const email of ['hank@corp.example.com', 'HANK@Corp.Example.com', 'hank+x@corp.example.com']) {
      await expect(
        t.api(hank)(routes.generateOtp, { body: { clientId: desktop.clientId, osUser: 'CORP\\cfo', email } }),
        email,
      ).rejects.toMatchObject({ status: 403, code: 'self_approval' });
    }
    expect(await t.api(admin)(routes.listAudit, { query: { type: 'otp.generated' } })).toHaveLength(0);
    // Another mailbox of the same domain, and a colleague generating for hank, still work.
    await t.api(hank)(routes.generateOtp, { body: { clientId: desktop.clientId, osUser: 'CORP\\cfo', email: 'hanka@corp.example.com' } });
    await t.api(admin)(routes.generateOtp, {
      body: { clientId: desktop.clientId, osUser: 'CORP\\hank', email: 'hank+x@corp.example.com' },
    });
    expect(t.smtp.mails.some((m) => m.to.includes('hank@corp.example.com'))).toBe(false);
  });
});

describe('a session filled with events', () => {
  it('another holder of the token fills the 20,000-event cap: the sign-out is still recorded', async () => {
    const { clientToken } = await t.enroll('PC-SHARED');
    const osUser = 'CORP\\alice';
    const email = 'alice@corp.example.com';
    const { requestId } = await t.api(clientToken)(routes.createOtpRequest, { body: { osUser, method: 'email', email } });
    const admin = await t.adminToken();
    await t.api(admin)(routes.approveAccessRequest, { params: { requestId }, body: {} });
    const mail = await t.smtp.waitFor((m) => m.to.includes(email));
    const { sessionId } = await t.api(clientToken)(routes.verifyOtp, {
      body: { osUser, email, otp: otpFromMail(mail), nonce: testNonce() },
    });
    const post = (events: ActivityEvent[]) =>
      t.api(clientToken)(routes.postSessionEvents, { params: { sessionId: sessionId! }, body: { events } });

    const start = t.clock.now();
    t.clock.advance(60_000);
    for (let batch = 0; batch < 20_000 / ACTIVITY_BATCH_MAX; batch++) {
      await post(Array.from({ length: ACTIVITY_BATCH_MAX }, (_, i) => ({ type: 'idle', at: start + batch * ACTIVITY_BATCH_MAX + i })));
    }
    await expect(post([{ type: 'active', at: start + 20_000 }])).rejects.toMatchObject({ status: 400 });

    const signOut = t.clock.now();
    await post([
      { type: 'active', at: signOut - 1 },
      { type: 'signed_out', at: signOut },
    ]);
    await post([{ type: 'ended', at: signOut + 1 }]);
    await t.api(clientToken)(routes.endSession, { params: { sessionId: sessionId! } });
    const events = await t.api(admin)(routes.listSessionEvents, { params: { sessionId: sessionId! } });
    expect(events.slice(-2)).toEqual([
      { type: 'signed_out', at: signOut },
      { type: 'ended', at: signOut + 1 },
    ]);
    expect(events).toHaveLength(20_002);
  }, 120_000);
});

describe('names that only look alike', () => {
  const invisible = {
    'combining grapheme joiner': '\u034f',
    'Hangul filler': '\u3164',
    'Hangul choseong filler': '\u115f',
    'halfwidth Hangul filler': '\uffa0',
    'variation selector': '\ufe0f',
    'braille blank': '\u2800',
    'no-break space': '\u00a0',
    'ideographic space': '\u3000',
  };

  it.each(Object.entries(invisible))('refuses a computer name and an osUser with a %s', async (_what, char) => {
    const enrolled = await t.send(routes.enroll, { body: { enrollmentKey: ENROLLMENT_KEY, computerName: `PC-1${char}` } });
    expect(enrolled.statusCode).toBe(400);
    const { clientToken } = await t.enroll('PC-1');
    const asked = await t.send(routes.createOtpRequest, {
      token: clientToken,
      body: { osUser: `CORP\\ann${char}lee`, method: 'email', email: 'ann@corp.example.com' },
    });
    expect(asked.statusCode).toBe(400);
  });

  it('marks Clients whose names differ only in width or case as duplicates', async () => {
    const admin = await t.adminToken();
    await t.enroll('PC-STRASSE');
    await t.enroll('pc-straße');
    await t.enroll('\uff30\uff23-\uff11');
    await t.enroll('pc-1');
    await t.enroll('PC-2');
    const clients = await t.api(admin)(routes.listClients, {});
    const duplicate = Object.fromEntries(clients.map((c) => [c.computerName, c.duplicateName]));
    expect(duplicate).toEqual({ 'PC-STRASSE': true, 'pc-straße': true, '\uff30\uff23-\uff11': true, 'pc-1': true, 'PC-2': false });
  });
});

describe('per-address budgets', () => {
  const A = '198.51.100.7';
  const METRICS_TOKEN = 'metrics-token-for-tests-000000';
  let app: TestApp;
  afterEach(async () => app?.destroy());

  it('GET /api/v1/openapi.json is rate-limited per address', async () => {
    app = await buildTestApp({ env: { LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '20' } });
    // Raw: the document has no route in the contract it describes.
    const get = (from = A) => app.app.inject({ method: 'GET', url: '/api/v1/openapi.json', remoteAddress: from });
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await get()).statusCode);
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(200));
    expect(statuses.slice(20)).toEqual(Array(5).fill(429));
    expect((await get('203.0.113.20')).statusCode).toBe(200);
  });

  it('wrong /metrics tokens are rate-limited per address, and then the right one is refused there too', async () => {
    app = await buildTestApp({ env: { LATCHKEY_METRICS_TOKEN: METRICS_TOKEN, LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '20' } });
    // Raw: /metrics is outside the API contract (Prometheus text).
    const scrape = (token: string, from = A) =>
      app.app.inject({ method: 'GET', url: '/metrics', remoteAddress: from, headers: { authorization: `Bearer ${token}` } });
    for (let i = 0; i < 5; i++) expect((await scrape(METRICS_TOKEN)).statusCode).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await scrape(`wrong-metrics-token-${i}-000000`)).statusCode);
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses.slice(20)).toEqual(Array(5).fill(429));
    expect((await scrape(METRICS_TOKEN)).statusCode).toBe(429);
    expect((await scrape(METRICS_TOKEN, '203.0.113.20')).statusCode).toBe(200);
  });

  it('50 wrong-key enrollments from one address never stop the right key from it', async () => {
    app = await buildTestApp({ env: { LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '20' } });
    const enroll = (enrollmentKey: string, computerName: string) =>
      injectApi(app.app, undefined, { remoteAddress: A })(routes.enroll, { body: { enrollmentKey, computerName } });
    const junk: (number | undefined)[] = [];
    for (let i = 0; i < 50; i++) junk.push((await refusalOf(enroll(`wrong-enrollment-key-${i}`, 'ROGUE')))?.status);
    expect(junk.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(junk.slice(20)).toEqual(Array(30).fill(429));
    for (let i = 0; i < 20; i++) await enroll(ENROLLMENT_KEY, `PC-${i}`);
    // The right key has a budget of its own, and the junk past the budget was not audited.
    await expect(enroll(ENROLLMENT_KEY, 'PC-20')).rejects.toMatchObject({ status: 429 });
    const admin = await app.adminToken();
    expect(await app.api(admin)(routes.listAudit, { query: { type: 'client.enroll_failed' } })).toHaveLength(20);
  });
});
