import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '@latchkey/contracts';
import {
  nextState,
  offline,
  online,
  relocked,
  showsInterval,
  unlocked,
  withBusy,
  withNotice,
  withPolicy,
} from '../../src/lock/lock-state.js';
import { LOCKED } from '../support/lock-states.js';

const NOW = Date.UTC(2026, 0, 5, 9, 0, 0);
const base = LOCKED;

describe('lock state, as pure functions', () => {
  it('Resend follows the request: sent and not expired', () => {
    const sent = nextState(
      base,
      { request: { requestId: 'rq_00000001', status: 'sent', email: 'a@b.example', expiresAt: NOW + 1 } },
      [],
      NOW,
    );
    expect(sent.canResend).toBe(true);
    expect(nextState(sent, {}, [], NOW + 1).canResend).toBe(false);
    expect(nextState(sent, {}, ['request'], NOW).canResend).toBe(false);
    expect(base.canResend).toBe(false); // the input is not changed
  });

  it("takes the request form and the company's words from the policy, and drops words set back to ''", () => {
    const both = withPolicy(
      base,
      {
        ...DEFAULT_POLICY,
        autoSendToDirectoryUsers: true,
        autoSendToInternalUsers: true,
        lockTitle: 'Contoso',
        helpdeskContact: 'IT 1234',
      },
      NOW,
    );
    expect(both).toMatchObject({ requestMode: 'directory', alternativeMode: 'internal', lockTitle: 'Contoso', helpdeskContact: 'IT 1234' });
    expect(both.lockMessage).toBeUndefined();
    const plain = withPolicy(both, DEFAULT_POLICY, NOW);
    expect(plain.requestMode).toBe('email');
    expect(plain).not.toHaveProperty('alternativeMode');
    expect(plain).not.toHaveProperty('lockTitle');
    expect(plain).not.toHaveProperty('helpdeskContact');
  });

  it('online after an outage: locked, the countdown and the words about the outage gone; other words stay', () => {
    const unreachable = { kind: 'error' as const, code: 'server_unreachable' as const, text: '…' };
    const out = offline(withBusy(base, 'policy', NOW), { attempt: 2, at: NOW + 4_000 }, unreachable, NOW);
    expect(out).toMatchObject({ phase: 'offline', retry: { attempt: 2, at: NOW + 4_000 }, notice: unreachable, busy: 'policy' });
    const back = online(out, NOW);
    expect(back.phase).toBe('locked');
    for (const key of ['busy', 'retry', 'notice']) expect(back).not.toHaveProperty(key);
    const denied = withNotice(base, { kind: 'error', code: 'request_denied', text: '…' }, NOW);
    expect(online({ ...denied, phase: 'starting' }, NOW).notice?.code).toBe('request_denied');
    expect(online(withNotice(base, unreachable, NOW), NOW).notice).toEqual(unreachable); // locked already: not an outage's end
  });

  it('unlocked leaves nothing of the questions; relocked asks afresh', () => {
    const asking = nextState(
      base,
      {
        busy: 'verify',
        nextRequestAt: NOW,
        notice: { kind: 'error', code: 'wrong_code', text: '…' },
        request: { requestId: 'rq_00000001', status: 'sent', email: 'a@b.example', expiresAt: NOW + 1 },
        email: 'a@b.example',
      },
      [],
      NOW,
    );
    const open = unlocked(asking, 'a@b.example', NOW);
    expect(open).toMatchObject({ phase: 'unlocked', email: 'a@b.example' });
    for (const key of ['busy', 'notice', 'nextRequestAt']) expect(open).not.toHaveProperty(key);
    const again = relocked({ ...open, popup: 'request' }, { kind: 'info', code: 'relocked', text: '…' }, NOW);
    expect(again).toMatchObject({ phase: 'locked', popup: 'lock', canResend: false, notice: { code: 'relocked' } });
    for (const key of ['request', 'email']) expect(again).not.toHaveProperty(key);
  });

  it('knows when an interval refusal is on show', () => {
    expect(showsInterval({ ...base, notice: { kind: 'error', code: 'otp_interval', text: '…' } })).toBe(true);
    expect(showsInterval({ ...base, notice: { kind: 'info', code: 'interval_over', text: '…' } })).toBe(false);
  });
});
