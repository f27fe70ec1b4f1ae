import { describe, expect, it, vi } from 'vitest';
import { routes, type LockState, type SettingsPatch } from '@latchkey/contracts';
import { LockController, type RequestStore, type SavedRequest, type UnlockedSession } from '../../src/lock/lock-controller.js';
import { controllerFor, OS_USER, useLockTestbed } from '../support/lock.js';
import { closedPort, otpFromMail } from '../support/server.js';
import { testNonce } from '@latchkey/test-support';

const { server, timers } = useLockTestbed();

function memoryStore(): RequestStore & { value: SavedRequest | undefined } {
  return {
    value: undefined,
    load() {
      return this.value;
    },
    save(value) {
      this.value = value;
    },
  };
}

const lockFor = ({ store, ...options }: { baseUrl?: () => string; store?: RequestStore; computerName?: string } = {}) =>
  controllerFor(server, timers, {
    ...options,
    overrides: { heartbeatIntervalMs: 60_000, backoff: { initialMs: 1_000, maxMs: 30_000 }, ...(store ? { store } : {}) },
  });

/** The lock started again (a new program) with the same token and the request it saved; started. */
async function restarted(token: string, store: RequestStore) {
  const unlocked: UnlockedSession[] = [];
  const again = new LockController({
    baseUrl: server.baseUrl,
    fetch,
    clientToken: () => token,
    osUser: OS_USER,
    timers,
    store,
    verdicts: server.verdictsFor(token),
    onUnlocked: (session) => unlocked.push(session),
  });
  await again.start();
  return { again, unlocked };
}

const until = (check: () => boolean) => vi.waitFor(() => expect(check()).toBe(true), { timeout: 10_000, interval: 20 });

async function setSettings(settings: SettingsPatch) {
  await server.api(routes.putSettings, { body: settings });
}

/** An internal user linked to the lock's osUser (which is not the login). */
async function addUser(login: string, password: string) {
  await server.api(routes.createUser, {
    body: { login, password, email: `${login}@corp.example.com`, role: 'user', windowsAccounts: [OS_USER] },
  });
}

async function mailFor(email: string, count = 1) {
  await until(() => server.test.smtp.mails.filter((m) => m.to.includes(email) && /\d{8}/.test(m.text)).length >= count);
  const mails = server.test.smtp.mails.filter((m) => m.to.includes(email) && /\d{8}/.test(m.text));
  return otpFromMail(mails[count - 1]!);
}

describe('lock controller against the real server', () => {
  it('starts locked with the email form when neither auto option is on', async () => {
    const { controller } = await lockFor();
    await controller.start();
    expect(controller.state).toMatchObject({
      phase: 'locked',
      popup: 'lock',
      requestMode: 'email',
      otpAllowed: true,
      otpLength: 8,
      canResend: false,
    });
  });

  it('email request waits for approval, polls the status, then unlocks only with the right code', async () => {
    const { controller, unlocked } = await lockFor();
    const seen: LockState[] = [];
    controller.subscribe((s) => seen.push(s));
    await controller.start();
    await controller.showRequest();
    expect(controller.state.popup).toBe('request');

    await controller.requestOtp({ method: 'email', email: 'alice@corp.example.com' });
    expect(controller.state).toMatchObject({
      popup: 'lock',
      email: 'alice@corp.example.com',
      request: { status: 'pending' },
      notice: { code: 'waiting_for_approval' },
    });

    const requestId = controller.state.request!.requestId;
    await server.api(routes.approveAccessRequest, { params: { requestId }, body: {} });
    timers.advance(3_000);
    await until(() => controller.state.request?.status === 'sent');
    expect(controller.state.notice?.code).toBe('otp_sent');
    expect(controller.state.canResend).toBe(true);
    expect(timers.delays()).toHaveLength(1); // polling stopped once the request was settled: only the code's expiry is timed

    const code = await mailFor('alice@corp.example.com');
    const wrong = code === '00000000' ? '11111111' : '00000000';
    await controller.verify({ email: 'ignored@example.com', otp: wrong });
    // v1.2: the request's status tells how many attempts are left, so the notice says that.
    expect(controller.state).toMatchObject({ phase: 'locked', notice: { code: 'wrong_code' } });
    expect(controller.state.notice?.text).toMatch(/attempts left/);
    expect(unlocked).toEqual([]);

    await controller.verify({ email: '', otp: code });
    expect(controller.state.phase).toBe('unlocked');
    expect(unlocked).toHaveLength(1);
    expect(seen.some((s) => s.busy === 'verify')).toBe(true);

    const sessions = await server.api(routes.listSessions, {});
    expect(sessions[0]?.userName).toBe(`${OS_USER} (alice@corp.example.com)`);
  });

  it('sends heartbeats while unlocked and ends the session on logoff', async () => {
    await setSettings({ autoSendToInternalUsers: true });
    await addUser('bob', 'bob-password-123');
    const { controller } = await lockFor();
    await controller.start();
    await controller.requestOtp({ method: 'internal', login: 'bob', password: 'bob-password-123' });
    await controller.verify({ email: '', otp: await mailFor('bob@corp.example.com') });
    expect(controller.state.phase).toBe('unlocked');
    expect(timers.delays()).toEqual([60_000]);

    server.test.clock.advance(60_000);
    timers.advance(60_000);
    await until(() => timers.delays().length === 1);
    let sessions = await server.api(routes.listSessions, {});
    expect(sessions[0]!.lastSeenAt).toBeGreaterThan(sessions[0]!.startedAt);

    await controller.endSession();
    expect(timers.delays()).toEqual([]);
    sessions = await server.api(routes.listSessions, {});
    expect(sessions[0]!.endedAt).not.toBeNull();
  });

  it('internal mode: a wrong password is refused, the right one sends the code at once', async () => {
    await setSettings({ autoSendToInternalUsers: true });
    await addUser('carol', 'carol-password-1');
    const { controller } = await lockFor();
    await controller.start();
    expect(controller.state.requestMode).toBe('internal');

    await controller.requestOtp({ method: 'internal', login: 'carol', password: 'wrong-password' });
    expect(controller.state).toMatchObject({ phase: 'locked', notice: { code: 'invalid_credentials' } });
    expect(controller.state.email).toBeUndefined();

    await controller.requestOtp({ method: 'email', email: 'carol@corp.example.com' });
    expect(controller.state.notice?.code).toBe('method_not_allowed');

    await controller.requestOtp({ method: 'internal', login: 'carol', password: 'carol-password-1' });
    expect(controller.state).toMatchObject({
      email: 'carol@corp.example.com',
      request: { status: 'sent' },
      notice: { code: 'otp_sent' },
      canResend: true,
    });
    await controller.verify({ email: '', otp: await mailFor('carol@corp.example.com') });
    expect(controller.state.phase).toBe('unlocked');
  });

  it('emergency access is offered in the auto modes and goes through approval with its reason', async () => {
    await setSettings({ autoSendToInternalUsers: true });
    const { controller } = await lockFor();
    await controller.start();
    await controller.requestOtp({ method: 'emergency', email: 'dave@corp.example.com', reason: 'Forgot my password, server room' });
    expect(controller.state).toMatchObject({ request: { status: 'pending' }, email: 'dave@corp.example.com' });
    const pending = await server.api(routes.listAccessRequests, { query: { status: 'pending' } });
    expect(pending[0]).toMatchObject({ method: 'emergency', reason: 'Forgot my password, server room' });
  });

  it('a denied request says so and stops polling', async () => {
    const { controller } = await lockFor();
    await controller.start();
    await controller.requestOtp({ method: 'email', email: 'erin@corp.example.com' });
    await server.api(routes.denyAccessRequest, { params: { requestId: controller.state.request!.requestId }, body: {} });
    timers.advance(3_000);
    await until(() => controller.state.notice?.code === 'request_denied');
    expect(controller.state.email).toBeUndefined();
    expect(timers.delays()).toEqual([]);
  });

  it('a new request within the interval is refused with the time left, and the code already sent can be resent', async () => {
    await setSettings({ autoSendToInternalUsers: true, otpRequestIntervalMinutes: 60 });
    await addUser('frank', 'frank-password-1');
    const store = memoryStore();
    const { controller } = await lockFor({ store });
    await controller.start();
    await controller.requestOtp({ method: 'internal', login: 'frank', password: 'frank-password-1' });
    const first = await mailFor('frank@corp.example.com');
    expect(store.value?.email).toBe('frank@corp.example.com');

    await controller.showRequest();
    await controller.requestOtp({ method: 'internal', login: 'frank', password: 'frank-password-1' });
    expect(controller.state.notice).toMatchObject({ code: 'otp_interval' });
    expect(controller.state.notice?.text).toContain('60 minutes');
    expect(controller.state.nextRequestAt).toBe(timers.now() + 3600_000);
    expect(controller.state.canResend).toBe(true);

    await controller.resend();
    expect(controller.state).toMatchObject({ popup: 'lock', notice: { code: 'otp_resent' } });
    expect(await mailFor('frank@corp.example.com', 2)).toBe(first);
  });

  it('an expired code is refused, says why, and can no longer be resent', async () => {
    await setSettings({ autoSendToInternalUsers: true, accessRequestExpirationMinutes: 30 });
    await addUser('kim', 'kim-password-12');
    const { controller, unlocked } = await lockFor();
    await controller.start();
    await controller.requestOtp({ method: 'internal', login: 'kim', password: 'kim-password-12' });
    const code = await mailFor('kim@corp.example.com');
    server.test.clock.advance(31 * 60_000);
    timers.advance(31 * 60_000);
    await controller.verify({ email: '', otp: code });
    expect(controller.state).toMatchObject({
      phase: 'locked',
      request: { status: 'expired' },
      canResend: false,
      notice: { code: 'access_denied', text: 'Access denied. The one-time password has expired. Request a new one.' },
    });
    expect(unlocked).toEqual([]);
  });

  it('remembers the last request across a restart so it can still be resent', async () => {
    await setSettings({ autoSendToInternalUsers: true });
    await addUser('gina', 'gina-password-1');
    const store = memoryStore();
    const { controller, token } = await lockFor({ store });
    await controller.start();
    await controller.requestOtp({ method: 'internal', login: 'gina', password: 'gina-password-1' });
    controller.dispose();

    const { again } = await restarted(token, store);
    expect(again.state).toMatchObject({ email: 'gina@corp.example.com', request: { status: 'sent' }, canResend: true });
    await again.resend();
    expect(again.state.notice?.code).toBe('otp_resent');
  });

  it('checks the code format before asking the server', async () => {
    const { controller } = await lockFor();
    await controller.start();
    await controller.verify({ email: 'alice@corp.example.com', otp: '12ab' });
    expect(controller.state.notice).toMatchObject({ code: 'otp_format', text: 'Enter the 8-digit one-time password from the email.' });
    await controller.verify({ email: 'not-an-email', otp: '12345678' });
    expect(controller.state.notice?.code).toBe('email_invalid');
  });

  it('refuses a reason with invisible or direction-changing characters before asking the server', async () => {
    const { controller } = await lockFor({ computerName: 'PC-REASON' });
    await controller.start();
    await controller.requestOtp({ method: 'emergency', email: 'alice@corp.example.com', reason: 'urgent\u202e' });
    expect(controller.state.notice?.code).toBe('reason_invalid');
    expect(controller.state.request).toBeUndefined();
  });

  it('says so when the computer may not use one-time passwords', async () => {
    const { controller } = await lockFor({ computerName: 'PC-NO-OTP' });
    const clients = await server.api(routes.listClients, {});
    const client = clients.find((c) => c.computerName === 'PC-NO-OTP')!;
    await server.api(routes.patchClient, { params: { clientId: client.clientId }, body: { allowOneTimePasswords: false } });
    await controller.start();
    expect(controller.state).toMatchObject({ phase: 'locked', otpAllowed: false, notice: { code: 'otp_not_allowed' } });
  });
});

describe('how the lock was unlocked (via) is what the server says', () => {
  it('a code from Generate Password, typed while the lock’s own request waits, unlocks as generated', async () => {
    const { controller, unlocked } = await lockFor({ computerName: 'PC-VIA-GEN' });
    await controller.start();
    await controller.requestOtp({ method: 'email', email: 'alice@corp.example.com' });
    expect(controller.state.request?.status).toBe('pending');
    const client = (await server.api(routes.listClients, {})).find((c) => c.computerName === 'PC-VIA-GEN')!;
    await server.api(routes.generateOtp, { body: { clientId: client.clientId, osUser: OS_USER, email: 'alice@corp.example.com' } });
    await controller.verify({ email: '', otp: await mailFor('alice@corp.example.com') });
    expect(unlocked).toEqual([expect.objectContaining({ via: 'generated' })]);
    expect((await server.api(routes.listSessions, {}))[0]).toMatchObject({ via: 'generated' });
  });

  it('the server adds via only when asked, so an older lock’s strict check of the answer still passes', async () => {
    const { token } = await lockFor({ computerName: 'PC-VIA-OLD' });
    const client = (await server.api(routes.listClients, {})).find((c) => c.computerName === 'PC-VIA-OLD')!;
    const verify = async (includeVia: boolean, count: number) => {
      await server.api(routes.generateOtp, { body: { clientId: client.clientId, osUser: OS_USER, email: 'olav@corp.example.com' } });
      const otp = await mailFor('olav@corp.example.com', count);
      const body = { osUser: OS_USER, email: 'olav@corp.example.com', otp, nonce: testNonce(), ...(includeVia ? { includeVia } : {}) };
      return server.test.api(token)(routes.verifyOtp, { body });
    };
    // A v1.1 or v1.2 lock refuses (as a forgery) an answer with a field its schema does not name.
    expect(Object.keys(await verify(false, 1)).sort()).toEqual(['allowed', 'sessionId', 'verdict']);
    expect(await verify(true, 2)).toMatchObject({ allowed: true, via: 'generated' });
  });

  it('an emergency request restored after a restart unlocks as emergency', async () => {
    await setSettings({ autoSendToInternalUsers: true });
    const store = memoryStore();
    const { controller, token } = await lockFor({ store });
    await controller.start();
    await controller.requestOtp({ method: 'emergency', email: 'erin@corp.example.com', reason: 'Left my badge at home' });
    const requestId = controller.state.request!.requestId;
    controller.dispose();
    await server.api(routes.approveAccessRequest, { params: { requestId }, body: {} });

    const { again, unlocked } = await restarted(token, store);
    expect(again.state.request?.status).toBe('sent');
    await again.verify({ email: '', otp: await mailFor('erin@corp.example.com') });
    expect(unlocked).toEqual([expect.objectContaining({ via: 'emergency' })]);
  });
});

describe('signing out', () => {
  it('signs out through the host, stops every timer and ignores later actions', async () => {
    const token = await server.enroll('PC-SIGN-OUT');
    let signedOut = 0;
    const controller = new LockController({
      baseUrl: server.baseUrl,
      fetch,
      clientToken: () => token,
      osUser: OS_USER,
      timers,
      onSignOut: () => void signedOut++,
      verdicts: server.verdictsFor(token),
    });
    await controller.start();
    await controller.requestOtp({ method: 'email', email: 'hal@corp.example.com' });
    await until(() => server.test.app.requestWatch.size() === 1); // the pending request's status long-poll is held
    await controller.signOut();
    expect(signedOut).toBe(1);
    expect(controller.state.phase).toBe('signing_out');
    expect(timers.delays()).toEqual([]);
    await controller.verify({ email: 'hal@corp.example.com', otp: '12345678' });
    await controller.showRequest();
    expect(controller.state).toMatchObject({ phase: 'signing_out', popup: 'lock' });
  });
});

describe('lock controller when the server cannot be reached', () => {
  it('stays locked, says so, retries with growing delays and recovers when the server is back', async () => {
    let target = `http://127.0.0.1:${await closedPort()}`;
    const { controller, unlocked } = await lockFor({ baseUrl: () => target });
    await controller.start();
    expect(controller.state).toMatchObject({
      phase: 'offline',
      popup: 'lock',
      retry: { attempt: 1 },
      notice: { code: 'server_unreachable' },
    });
    expect(timers.delays()).toEqual([1_000]);

    timers.advance(1_000);
    await until(() => controller.state.retry?.attempt === 2);
    expect(timers.delays()).toEqual([2_000]);
    timers.advance(2_000);
    await until(() => controller.state.retry?.attempt === 3);
    expect(timers.delays()).toEqual([4_000]);

    // Verifying while offline never unlocks.
    await controller.verify({ email: 'alice@corp.example.com', otp: '12345678' });
    expect(controller.state.phase).toBe('offline');
    expect(unlocked).toEqual([]);

    target = server.baseUrl;
    await controller.retryNow();
    expect(controller.state.phase).toBe('locked');
    expect(controller.state.notice).toBeUndefined();
    expect(controller.state.retry).toBeUndefined();
    expect(timers.delays()).toEqual([]);
  });

  it('caps the backoff', async () => {
    const target = `http://127.0.0.1:${await closedPort()}`;
    const { controller } = await lockFor({ baseUrl: () => target });
    await controller.start();
    for (let attempt = 1; attempt < 8; attempt++) {
      timers.advance(timers.delays()[0]!);
      await until(() => controller.state.retry?.attempt === attempt + 1);
    }
    expect(timers.delays()).toEqual([30_000]);
    controller.dispose();
    expect(timers.delays()).toEqual([]);
  });
});
