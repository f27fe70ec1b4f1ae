import { beforeEach, describe, expect, it, vi } from 'vitest';
import { routes, type SettingsPatch } from '@latchkey/contracts';
import { LockController } from '../../src/lock/lock-controller.js';
import { retryCountdown, wordsFor } from '../../src/lock/messages.js';
import { controllerFor, OS_USER, useLockTestbed } from '../support/lock.js';
import { otpFromMail } from '../support/server.js';
import { UNREACHABLE_DIRECTORY_ENV } from '@latchkey/test-support';

const en = wordsFor('en');

// The seed's flow for people (issue 11): no dead ends, live status, words that follow the state.
const MINUTE = 60_000;

// A directory is configured (one that never answers): auto-send to directory users is refused without one.
const { server, timers } = useLockTestbed({ ...UNREACHABLE_DIRECTORY_ENV });

async function startedController(computerName = 'PC-FLOW-01') {
  const { controller } = await controllerFor(server, timers, { computerName });
  await controller.start();
  return controller;
}

const until = (check: () => boolean, timeout = 10_000) => vi.waitFor(() => expect(check()).toBe(true), { timeout, interval: 10 });

async function settings(values: SettingsPatch) {
  await server.api(routes.putSettings, { body: values });
}

async function addUser(login: string, email: string) {
  await server.api(routes.createUser, {
    body: { login, password: `${login}-password-1`, email, role: 'user', windowsAccounts: [OS_USER] },
  });
}

async function codeFor(email: string, count = 1) {
  const mails = () => server.test.smtp.mails.filter((m) => m.to.includes(email) && /^\s{4}\d{6,10}$/m.test(m.text));
  await until(() => mails().length >= count);
  return otpFromMail(mails()[count - 1]!);
}

const wrongOf = (code: string) => code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));

describe('live status', () => {
  it('hears an approval within a second, without waiting for a poll', async () => {
    const controller = await startedController();
    await controller.requestOtp({ method: 'email', email: 'alice@corp.example.com' });
    expect(controller.state.request?.status).toBe('pending');
    // Let the long-poll reach the server and be held there.
    await until(() => server.test.app.requestWatch.size() === 1);

    await server.api(routes.approveAccessRequest, { params: { requestId: controller.state.request!.requestId }, body: {} });
    const decided = performance.now(); // the decision is committed when approve answers
    await until(() => controller.state.request?.status === 'sent', 1_000);
    expect(performance.now() - decided).toBeLessThan(1_000);
    expect(controller.state.notice?.code).toBe('otp_sent');
    expect(server.test.app.requestWatch.size()).toBe(0);
  });

  it('falls back to polling when the status call comes back at once (a server or proxy that does not hold it)', async () => {
    const token = await server.enroll('PC-FLOW-POLL');
    const urls: string[] = [];
    const controller = new LockController({
      baseUrl: server.baseUrl,
      // A proxy that strips the query: every status call is answered at once.
      fetch: (url, init) => {
        urls.push(url);
        return fetch(url.replace(/\?waitSeconds=\d+/, ''), init);
      },
      clientToken: () => token,
      verdicts: server.verdictsFor(token),
      osUser: OS_USER,
      timers,
      pollIntervalMs: 3_000,
    });
    await controller.start();
    await controller.requestOtp({ method: 'email', email: 'polly@corp.example.com' });
    await until(() => timers.delays().length === 1);
    expect(timers.delays()).toEqual([3_000]); // no busy loop: the next call waits the poll interval
    await server.api(routes.denyAccessRequest, { params: { requestId: controller.state.request!.requestId }, body: {} });
    timers.advance(3_000);
    await until(() => controller.state.request?.status === 'denied');
    expect(urls.filter((u) => u.includes('waitSeconds=25')).length).toBe(2);
  });
});

describe('a mistyped email', () => {
  it('"Use a different email" cancels the pending request and gives the address back to correct', async () => {
    const controller = await startedController();
    await controller.requestOtp({ method: 'email', email: 'alcie@corp.example.com' });
    const wrongId = controller.state.request!.requestId;

    await controller.cancelRequest();
    expect(controller.state).toMatchObject({ popup: 'request', notice: { code: 'request_cancelled' } });
    expect(controller.state.notice?.text).toContain('alcie@corp.example.com');
    expect(controller.state.request).toBeUndefined();
    expect(controller.state.email).toBeUndefined();

    await controller.requestOtp({ method: 'email', email: 'alice@corp.example.com' });
    expect(controller.state.request).toMatchObject({ status: 'pending', email: 'alice@corp.example.com' });
    const pending = await server.api(routes.listAccessRequests, { query: { status: 'pending' } });
    expect(pending.map((r) => r.email)).toEqual(['alice@corp.example.com']);
    // The wrong one can no longer be approved: nothing is mailed to a stranger.
    await expect(server.api(routes.approveAccessRequest, { params: { requestId: wrongId }, body: {} })).rejects.toMatchObject({
      status: 409,
      code: 'not_pending',
    });
  });
});

describe('words that follow the state', () => {
  beforeEach(async () => {
    await settings({ autoSendToInternalUsers: true, otpRequestIntervalMinutes: 0, accessRequestExpirationMinutes: 30 });
    await addUser('kim', 'kim@corp.example.com');
  });

  it('after the code expires: no "has been sent", no Resend, and it says the code expired', async () => {
    const controller = await startedController();
    await controller.requestOtp({ method: 'internal', login: 'kim', password: 'kim-password-1' });
    expect(controller.state).toMatchObject({ notice: { code: 'otp_sent' }, canResend: true });
    expect(timers.delays()).toEqual([30 * MINUTE]); // one timer: the code's expiry

    server.test.clock.advance(30 * MINUTE);
    timers.advance(30 * MINUTE);
    expect(controller.state).toMatchObject({ request: { status: 'expired' }, canResend: false, notice: { code: 'request_expired' } });
    expect(controller.state.notice!.text).not.toMatch(/has been sent|Enter it below/);
    expect(controller.state.notice!.text).toContain('has expired');
  });

  it('burnt: after too many wrong codes even the right one is refused, and the lock says so and what to do', async () => {
    await settings({ maxVerifyAttempts: 3 });
    const controller = await startedController();
    await controller.requestOtp({ method: 'internal', login: 'kim', password: 'kim-password-1' });
    const code = await codeFor('kim@corp.example.com');
    for (let i = 0; i < 3; i++) await controller.verify({ email: '', otp: wrongOf(code) });
    await controller.verify({ email: '', otp: code });
    expect(controller.state.phase).toBe('locked');
    expect(controller.state).toMatchObject({ request: { status: 'burnt' }, canResend: false, notice: { code: 'request_burnt' } });
    expect(controller.state.notice!.text).toContain('not even the right one');
    expect(controller.state.notice!.text).toContain('Request a new one');
  });

  it('a pending request that lapsed is reported as lapsed, not as an expired password', async () => {
    await settings({ autoSendToInternalUsers: false });
    const controller = await startedController();
    await controller.requestOtp({ method: 'email', email: 'lee@corp.example.com' });
    server.test.clock.advance(31 * MINUTE);
    await controller.refreshRequest();
    expect(controller.state.notice?.code).toBe('request_lapsed');
    expect(controller.state.notice!.text).not.toContain('has expired');
    expect(controller.state.notice!.text).toContain('no one-time password was sent');
    expect(controller.state.email).toBeUndefined(); // no code went to that address: the lock's field is free again
  });

  it('shows the approver’s comment on a denial', async () => {
    await settings({ autoSendToInternalUsers: false });
    const controller = await startedController();
    await controller.requestOtp({ method: 'email', email: 'mo@corp.example.com' });
    await until(() => server.test.app.requestWatch.size() === 1);
    await server.api(routes.denyAccessRequest, {
      params: { requestId: controller.state.request!.requestId },
      body: { comment: 'Not a company address; call 1234' },
    });
    await until(() => controller.state.notice?.code === 'request_denied');
    expect(controller.state.request?.comment).toBe('Not a company address; call 1234');
    expect(controller.state.notice!.text).toContain('“Not a company address; call 1234”');
  });

  it('the offline countdown counts down', () => {
    const at = Date.UTC(2026, 0, 5, 9, 0, 10);
    expect(retryCountdown(en, at, at - 4_000)).toBe('Trying again in 4 seconds.');
    expect(retryCountdown(en, at, at - 3_200)).toBe('Trying again in 4 seconds.');
    expect(retryCountdown(en, at, at - 1_000)).toBe('Trying again in 1 second.');
    expect(retryCountdown(en, at, at)).toBe('Trying again now.');
  });
});

describe('the one-hour trap', () => {
  it('an interval refusal says how long and offers emergency access, which is not refused and is issued on approval', async () => {
    await settings({ autoSendToInternalUsers: true, otpRequestIntervalMinutes: 60 });
    await addUser('ned', 'ned@corp.example.com');
    await addUser('olga', 'olga@corp.example.com');
    const token = await server.enroll('PC-TRAP-01');
    const ned = await controllerWith(token, 'CORP\\ned');
    await ned.requestOtp({ method: 'internal', login: 'ned', password: 'ned-password-1' });
    await ned.verify({ email: '', otp: await codeFor('ned@corp.example.com') });
    expect(ned.state.phase).toBe('unlocked');

    // Another person on the same computer, ten minutes later.
    server.test.clock.advance(10 * MINUTE);
    timers.advance(10 * MINUTE);
    const olga = await controllerWith(token, 'CORP\\olga');
    await olga.showRequest();
    await olga.requestOtp({ method: 'internal', login: 'olga', password: 'olga-password-1' });
    expect(olga.state.notice?.code).toBe('otp_interval');
    expect(olga.state.notice!.text).toContain('50 minutes');
    expect(olga.state.notice!.text).toContain('I need emergency access to computer');

    await olga.requestOtp({ method: 'emergency', email: 'olga@corp.example.com', reason: 'First day, no code yet' });
    expect(olga.state.request?.status).toBe('pending');
    await until(() => server.test.app.requestWatch.size() === 1);
    await server.api(routes.approveAccessRequest, { params: { requestId: olga.state.request!.requestId }, body: {} });
    await until(() => olga.state.request?.status === 'sent');
    await olga.verify({ email: '', otp: await codeFor('olga@corp.example.com') });
    expect(olga.state.phase).toBe('unlocked');
  });
});

describe('both automatic options on', () => {
  it('offers the internal login beside the directory request, and it works', async () => {
    await settings({ autoSendToDirectoryUsers: true, autoSendToInternalUsers: true, otpRequestIntervalMinutes: 0 });
    await addUser('alice', 'alice@corp.example.com');
    const controller = await startedController('PC-BOTH-01');
    expect(controller.state).toMatchObject({ requestMode: 'directory', alternativeMode: 'internal' });
    await controller.requestOtp({ method: 'internal', login: 'alice', password: 'alice-password-1' });
    expect(controller.state).toMatchObject({ request: { status: 'sent', email: 'alice@corp.example.com' }, notice: { code: 'otp_sent' } });

    await settings({ autoSendToInternalUsers: false });
    await controller.showRequest();
    expect(controller.state.alternativeMode).toBeUndefined();
  });
});

async function controllerWith(token: string, osUser: string) {
  const controller = new LockController({
    baseUrl: server.baseUrl,
    fetch,
    clientToken: () => token,
    verdicts: server.verdictsFor(token),
    osUser,
    timers,
    random: () => 0.5,
  });
  await controller.start();
  return controller;
}
