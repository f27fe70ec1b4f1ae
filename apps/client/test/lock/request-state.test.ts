import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type OtpRequestState } from '@latchkey/contracts';
import { wordsFor } from '../../src/lock/messages.js';
import {
  accessDenied,
  cancelled,
  checkRequestInput,
  checkVerifyInput,
  intervalRefused,
  intervalTick,
  lockPopup,
  nextRequestAfter,
  requestBody,
  requestGone,
  requestPopup,
  requested,
  resent,
  statusRead,
} from '../../src/lock/request-state.js';
import { LOCKED } from '../support/lock-states.js';

const NOW = Date.UTC(2026, 0, 5, 9, 0, 0);
const MINUTE = 60_000;
const w = wordsFor('en');
const EMAIL = 'alice@corp.example.com';
const base = LOCKED;
const pending: OtpRequestState = { requestId: 'rq_00000001', status: 'pending', email: EMAIL };
/** Sent now, good for the policy's 15 minutes. */
const sent: OtpRequestState = { ...pending, status: 'sent', expiresAt: NOW + 15 * MINUTE, attemptsLeft: 5 };
const policy = { ...DEFAULT_POLICY, accessRequestExpirationMinutes: 15, otpRequestIntervalMinutes: 60 };

const waiting = requested({ ...base, busy: 'request', nextRequestAt: NOW + MINUTE }, pending, w, NOW);
const withSent = requested(base, sent, w, NOW);
const refused = intervalRefused({ ...withSent, busy: 'request', popup: 'request' }, 30 * 60, w, NOW);

describe('the request flow’s state changes, as pure functions', () => {
  it('a request the server took: shown in the lock pop-up with its words, no longer busy, no interval wait', () => {
    expect(waiting).toMatchObject({ popup: 'lock', email: EMAIL, request: pending, notice: { code: 'waiting_for_approval' } });
    expect(waiting).not.toHaveProperty('busy');
    expect(waiting).not.toHaveProperty('nextRequestAt');
    expect(withSent).toMatchObject({ canResend: true, notice: { code: 'otp_sent' } });
  });

  it('a status that changes brings its words; the same status again leaves the notice as it is', () => {
    const approved = statusRead(waiting, sent, policy, w, NOW);
    expect(approved).toMatchObject({ request: { status: 'sent' }, canResend: true, notice: { code: 'otp_sent' } });
    const quiet = { ...approved, notice: { kind: 'info' as const, code: 'otp_resent' as const, text: '…' } };
    expect(statusRead(quiet, sent, policy, w, NOW).notice?.code).toBe('otp_resent');
  });

  it('burnt within the interval: when the next request can be made, said with the burnt words', () => {
    const burnt = statusRead(withSent, { ...sent, status: 'burnt', attemptsLeft: 0 }, policy, w, NOW + MINUTE);
    expect(burnt.nextRequestAt).toBe(NOW + 60 * MINUTE);
    expect(burnt).toMatchObject({ email: EMAIL, canResend: false, notice: { code: 'request_burnt' } });
    expect(burnt.notice?.text).toContain(`A new one can be requested at ${w.time(NOW + 60 * MINUTE)}`);
    expect(nextRequestAfter(sent, { ...policy, otpRequestIntervalMinutes: 0 }, NOW)).toBeUndefined();
    expect(nextRequestAfter(sent, policy, NOW + 60 * MINUTE)).toBeUndefined();
  });

  it('an older server’s "expired" well before the expiry is read as burnt', () => {
    expect(statusRead(withSent, { ...sent, status: 'expired' }, policy, w, NOW).request?.status).toBe('burnt');
    expect(statusRead(withSent, { ...sent, status: 'expired' }, policy, w, sent.expiresAt!).request?.status).toBe('expired');
  });

  it('settled without a code sent (denied, lapsed, cancelled) frees the address field; used, burnt and expired keep it', () => {
    expect(statusRead(waiting, { ...pending, status: 'denied' }, policy, w, NOW)).not.toHaveProperty('email');
    expect(statusRead(waiting, { ...pending, status: 'expired' }, policy, w, NOW)).toMatchObject({ notice: { code: 'request_lapsed' } });
    expect(statusRead(waiting, { ...pending, status: 'expired' }, policy, w, NOW)).not.toHaveProperty('email');
    expect(statusRead(withSent, { ...sent, status: 'used' }, policy, w, NOW).email).toBe(EMAIL);
    expect(statusRead(withSent, { ...sent, status: 'expired' }, policy, w, sent.expiresAt!).email).toBe(EMAIL);
  });

  it('an interval refusal: when, counting down, with Resend and emergency access named; a status change does not replace it', () => {
    expect(refused).toMatchObject({ nextRequestAt: NOW + 30 * MINUTE, popup: 'request', notice: { kind: 'error', code: 'otp_interval' } });
    expect(refused).not.toHaveProperty('busy');
    expect(refused.notice?.text).toContain('in 30 minutes');
    expect(refused.notice?.text).toContain('You can resend the one already sent.');
    expect(refused.notice?.text).toContain('emergency access');
    expect(intervalRefused(waiting, undefined, w, NOW).nextRequestAt).toBe(NOW + MINUTE);

    expect(statusRead(refused, { ...sent, attemptsLeft: 4 }, policy, w, NOW).notice?.code).toBe('otp_interval');
    expect(intervalTick(refused, w, NOW + 29 * MINUTE).notice?.text).toContain('in 1 minute.');
    const over = intervalTick(refused, w, NOW + 30 * MINUTE);
    expect(over.notice).toMatchObject({ kind: 'info', code: 'interval_over' });
    // Once it says "now" it is a notice like any other: nothing more to count, and a status replaces it.
    expect(intervalTick(over, w, NOW + 31 * MINUTE)).toBe(over);
    expect(statusRead(over, { ...sent, status: 'used' }, policy, w, NOW).notice?.code).toBe('request_used');
  });

  it('the request pop-up says at once that the interval would refuse; otherwise it opens without a notice', () => {
    const burnt = statusRead(withSent, { ...sent, status: 'burnt', attemptsLeft: 0 }, policy, w, NOW);
    expect(requestPopup(burnt, w, NOW)).toMatchObject({ popup: 'request', notice: { code: 'otp_interval' } });
    expect(requestPopup(waiting, w, NOW)).toMatchObject({ popup: 'request' });
    expect(requestPopup(waiting, w, NOW)).not.toHaveProperty('notice');
    const over = intervalTick(refused, w, NOW + 30 * MINUTE);
    expect(requestPopup(over, w, NOW + 30 * MINUTE)).not.toHaveProperty('notice');
  });

  it('back in the lock pop-up: the request’s own words, none after an interval refusal', () => {
    const burnt = statusRead(withSent, { ...sent, status: 'burnt', attemptsLeft: 0 }, policy, w, NOW);
    expect(lockPopup(requestPopup(burnt, w, NOW), w, NOW)).not.toHaveProperty('notice');
    expect(lockPopup({ ...withSent, popup: 'request', notice: undefined }, w, NOW)).toMatchObject({
      popup: 'lock',
      notice: { code: 'otp_sent' },
    });
    expect(lockPopup({ ...base, popup: 'request' }, w, NOW)).not.toHaveProperty('notice');
  });

  it('cancelled: the request form again with the address to correct; nothing of the request is left', () => {
    const state = cancelled({ ...refused, busy: 'cancel' }, EMAIL, w, NOW);
    expect(state).toMatchObject({ popup: 'request', canResend: false, notice: { code: 'request_cancelled' } });
    expect(state.notice?.text).toContain(EMAIL);
    for (const key of ['busy', 'request', 'email', 'nextRequestAt']) expect(state).not.toHaveProperty(key);
    expect(requestGone(withSent, NOW)).not.toHaveProperty('request');
    expect(requestGone(withSent, NOW)).not.toHaveProperty('email');
  });

  it('resent: the lock pop-up names the address again', () => {
    const state = resent({ ...withSent, busy: 'resend', popup: 'request' }, sent, w, NOW);
    expect(state).toMatchObject({ popup: 'lock', notice: { code: 'otp_resent' } });
    expect(state.notice?.text).toContain(EMAIL);
    expect(state).not.toHaveProperty('busy');
  });

  it('a refused code says how many attempts are left, and warns before the last', () => {
    const three = statusRead({ ...withSent, busy: 'verify' }, { ...sent, attemptsLeft: 3 }, policy, w, NOW);
    expect(accessDenied(three, w, NOW)).toMatchObject({ notice: { code: 'wrong_code' } });
    expect(accessDenied(three, w, NOW)).not.toHaveProperty('busy');
    const last = statusRead(withSent, { ...sent, attemptsLeft: 1 }, policy, w, NOW);
    expect(accessDenied(last, w, NOW).notice?.code).toBe('last_attempt');
    expect(accessDenied(base, w, NOW).notice?.code).toBe('access_denied');
  });

  it('input is checked before the server is asked, the rules of the policy included', () => {
    expect(checkRequestInput({ method: 'email', email: ' ' }, policy, w)?.code).toBe('email_missing');
    expect(checkRequestInput({ method: 'email', email: 'nope' }, policy, w)?.code).toBe('email_invalid');
    expect(checkRequestInput({ method: 'emergency', email: EMAIL, reason: 'x\u202e' }, policy, w)?.code).toBe('reason_invalid');
    expect(checkRequestInput({ method: 'internal', login: 'a', password: 'p' }, policy, w)?.code).toBe('method_not_allowed');
    const internal = { ...policy, autoSendToInternalUsers: true };
    expect(checkRequestInput({ method: 'email', email: EMAIL }, internal, w)?.code).toBe('method_not_allowed');
    expect(checkRequestInput({ method: 'internal', login: 'a' }, internal, w)?.code).toBe('password_missing');
    expect(checkRequestInput({ method: 'email', email: EMAIL }, { ...policy, allowOneTimePasswords: false }, w)?.code).toBe(
      'otp_not_allowed',
    );
    expect(checkRequestInput({ method: 'emergency', email: EMAIL }, internal, w)).toBeUndefined();
  });

  it('the request body: trimmed, the reason only for emergencies, the re-locked session and the language', () => {
    const from = { osUser: 'CORP\\alice', relockOf: 'se_00000000000000000001', locale: 'de' };
    expect(requestBody({ method: 'emergency', email: ` ${EMAIL} `, reason: ' badge ' }, from)).toEqual({
      osUser: 'CORP\\alice',
      method: 'emergency',
      email: EMAIL,
      reason: 'badge',
      relockOf: 'se_00000000000000000001',
      locale: 'de',
    });
    expect(requestBody({ method: 'email', email: EMAIL, reason: 'ignored' }, { ...from, relockOf: undefined })).toEqual({
      osUser: 'CORP\\alice',
      method: 'email',
      email: EMAIL,
      locale: 'de',
    });
  });

  it('the code to verify: the request’s address, spaces and dashes taken out, the policy’s length', () => {
    expect(checkVerifyInput(withSent, { email: 'typed@example.com', otp: '1234 5678' }, w)).toEqual({ email: EMAIL, otp: '12345678' });
    expect(checkVerifyInput(base, { email: EMAIL, otp: '1234-567' }, w)).toMatchObject({ problem: { code: 'otp_format' } });
    expect(checkVerifyInput(base, { email: '', otp: '12345678' }, w)).toMatchObject({ problem: { code: 'email_missing' } });
  });

  it('changes nothing it is given', () => {
    const before = structuredClone(refused);
    statusRead(refused, { ...sent, status: 'denied' }, policy, w, NOW);
    cancelled(refused, EMAIL, w, NOW);
    lockPopup(refused, w, NOW);
    expect(refused).toEqual(before);
  });
});
