import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { routes } from '@latchkey/contracts';
import { LockController, fetchWithTimeout } from '../../src/lock/lock-controller.js';
import { SESSION_EVENTS, createRelockGate, relockDecision, type RelockInput, type Relockable } from '../../src/lock/relock.js';
import { ManualTimers } from '../support/manual-timers.js';
import { otpFromMail, startServer, type LiveServer } from '../support/server.js';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 0, 5, 9, 0, 0);
const base: RelockInput = {
  event: 'windows-unlock',
  unlocked: true,
  askAgainOnUnlock: true,
  unlockGraceMinutes: 0,
  lastUnlockAt: NOW - MINUTE,
  now: NOW,
};

describe('relockDecision', () => {
  it('locks again on every event by default', () => {
    for (const event of SESSION_EVENTS) expect(relockDecision({ ...base, event })).toEqual({ relock: true });
  });

  it('does nothing while the lock is showing', () => {
    expect(relockDecision({ ...base, unlocked: false })).toEqual({ relock: false, reason: 'locked' });
  });

  it('does not ask again when askAgainOnUnlock is off', () => {
    expect(relockDecision({ ...base, askAgainOnUnlock: false, unlockGraceMinutes: 0 })).toEqual({ relock: false, reason: 'not_asked' });
  });

  it('skips within unlockGraceMinutes of the last unlock and asks from the minute it ends', () => {
    const grace = { ...base, unlockGraceMinutes: 10 };
    expect(relockDecision({ ...grace, lastUnlockAt: NOW - 10 * MINUTE + 1 })).toEqual({ relock: false, reason: 'grace' });
    expect(relockDecision({ ...grace, lastUnlockAt: NOW - 10 * MINUTE })).toEqual({ relock: true });
  });

  it('fails closed: unknown last unlock, a clock that went backwards, a grace out of range', () => {
    const grace = { ...base, unlockGraceMinutes: 10 };
    expect(relockDecision({ ...grace, lastUnlockAt: undefined })).toEqual({ relock: true });
    expect(relockDecision({ ...grace, lastUnlockAt: NOW + MINUTE })).toEqual({ relock: true });
    expect(relockDecision({ ...base, unlockGraceMinutes: Number.NaN })).toEqual({ relock: true });
    // Never more than the 480 minutes the server allows.
    expect(relockDecision({ ...base, unlockGraceMinutes: 10_000, lastUnlockAt: NOW - 481 * MINUTE })).toEqual({ relock: true });
  });
});

describe('the relock gate', () => {
  it('covers the displays before the controller changes, and only when the decision is to lock again', () => {
    const calls: string[] = [];
    const controller: Relockable = {
      unlocked: true,
      lastUnlockAt: NOW - 5 * MINUTE,
      askAgain: { askAgainOnUnlock: true, unlockGraceMinutes: 0 },
      relock: (event) => calls.push(`relock ${event}`),
    };
    const gate = createRelockGate({ controller, cover: () => calls.push('cover'), now: () => NOW });
    expect(gate.onSessionEvent('resume')).toEqual({ relock: true });
    expect(calls).toEqual(['cover', 'relock resume']);

    calls.length = 0;
    const inGrace = createRelockGate({
      controller: { ...controller, askAgain: { askAgainOnUnlock: true, unlockGraceMinutes: 10 } },
      cover: () => calls.push('cover'),
      now: () => NOW,
    });
    expect(inGrace.onSessionEvent('reconnect')).toEqual({ relock: false, reason: 'grace' });
    expect(calls).toEqual([]);
  });
});

describe('a re-locked controller against the real server', () => {
  let server: LiveServer;
  let timers: ManualTimers;
  beforeEach(async () => {
    server = await startServer();
    timers = new ManualTimers();
    await server.api(routes.putSettings, { body: { autoSendToInternalUsers: true } });
    await server.api(routes.createUser, {
      body: { login: 'rita', password: 'rita-password-1', email: 'rita@corp.example.com', role: 'user' },
    });
  });
  afterEach(async () => {
    await server.stop();
  });

  const until = (check: () => boolean) => vi.waitFor(() => expect(check()).toBe(true), { timeout: 10_000, interval: 20 });
  const codes = () => server.test.smtp.mails.filter((m) => m.to.includes('rita@corp.example.com') && /\d{8}/.test(m.text));

  async function setup() {
    const token = await server.enroll();
    const controller = new LockController({
      baseUrl: '',
      fetch: (url, init) => fetchWithTimeout(fetch, 5_000)(server.baseUrl + url, init),
      clientToken: () => token,
      verdicts: server.verdictsFor(token),
      osUser: 'CORP\\rita',
      timers,
      random: () => 0.5,
    });
    const covered: number[] = [];
    const gate = createRelockGate({ controller, cover: () => covered.push(timers.now()), now: () => timers.now() });
    await controller.start();
    return { controller, gate, covered };
  }

  async function unlockWithNewOtp(controller: LockController) {
    const before = codes().length;
    await controller.requestOtp({ method: 'internal', login: 'rita', password: 'rita-password-1' });
    expect(controller.state.notice?.code).toBe('otp_sent');
    await until(() => codes().length > before);
    await controller.verify({ email: '', otp: otpFromMail(codes().at(-1)!) });
    expect(controller.state.phase).toBe('unlocked');
  }

  it('locks again on each event and unlocks again with a new OTP at the default interval', async () => {
    const { controller, gate, covered } = await setup();
    await unlockWithNewOtp(controller);
    const firstSession = controller.sessionId!;

    for (const event of SESSION_EVENTS) {
      timers.advance(MINUTE);
      expect(gate.onSessionEvent(event)).toEqual({ relock: true });
      expect(controller.state).toMatchObject({ phase: 'locked', popup: 'lock', notice: { code: 'relocked' } });
      expect(controller.state.request).toBeUndefined();
      await unlockWithNewOtp(controller); // within the 60-minute interval: the re-lock allowance
    }
    expect(covered).toHaveLength(3);

    const sessions = await server.api(routes.listSessions, {});
    expect(sessions).toHaveLength(4);
    expect(sessions.filter((s) => s.endedAt === null).map((s) => s.sessionId)).toEqual([controller.sessionId]);
    expect(sessions.some((s) => s.sessionId === firstSession && s.endedAt !== null)).toBe(true);
  });

  it('keeps the session open within the grace minutes, and when asking again is off', async () => {
    await server.api(routes.putSettings, { body: { unlockGraceMinutes: 15 } });
    const { controller, gate, covered } = await setup();
    await unlockWithNewOtp(controller);
    timers.advance(14 * MINUTE);
    expect(gate.onSessionEvent('windows-unlock')).toEqual({ relock: false, reason: 'grace' });
    expect(controller.state.phase).toBe('unlocked');
    timers.advance(MINUTE);
    expect(gate.onSessionEvent('windows-unlock')).toEqual({ relock: true });
    expect(controller.state.phase).toBe('locked');
    expect(covered).toHaveLength(1);

    await server.api(routes.putSettings, { body: { askAgainOnUnlock: false, unlockGraceMinutes: 0 } });
    await controller.showRequest(); // fetches the policy again
    await unlockWithNewOtp(controller);
    expect(gate.onSessionEvent('resume')).toEqual({ relock: false, reason: 'not_asked' });
    expect(controller.state.phase).toBe('unlocked');
  });
});
