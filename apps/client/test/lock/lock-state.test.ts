import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, type LockState } from '@latchkey/contracts';
import { nextState, showsInterval, withPolicy } from '../../src/lock/lock-state.js';

const NOW = Date.UTC(2026, 0, 5, 9, 0, 0);
const base: LockState = {
  phase: 'locked',
  popup: 'lock',
  osUser: 'CORP\\alice',
  locale: 'en',
  requestMode: 'email',
  otpAllowed: true,
  otpLength: 8,
  canResend: false,
};

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

  it('knows when an interval refusal is on show', () => {
    expect(showsInterval({ ...base, notice: { kind: 'error', code: 'otp_interval', text: '…' } })).toBe(true);
    expect(showsInterval({ ...base, notice: { kind: 'info', code: 'interval_over', text: '…' } })).toBe(false);
  });
});
