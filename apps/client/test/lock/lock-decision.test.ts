import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY, routes, type ClientPolicy, type LockDecisionBody } from '@latchkey/contracts';
import { localExemption } from '../../src/lock/lock-decision.js';
import { ManualTimers } from '../support/manual-timers.js';
import { startContractStub, stubController, type ContractStub } from '../support/contract-stub.js';

// "Who must unlock, and when" for a lock without a guard, against a stub that speaks the contract and
// signs like the server, so it can also forge and go offline. Against the real server:
// lock-decision-server.test.ts and tests/e2e/lock/who-must-unlock.spec.ts.
let timers: ManualTimers;
let stub: ContractStub;
beforeEach(() => {
  timers = new ManualTimers();
  stub = startContractStub(timers);
});

const memoryPolicy = (policy?: ClientPolicy) => {
  let kept = policy;
  return { load: () => kept, save: (p: ClientPolicy) => void (kept = p) };
};

describe('the lock decision at start', () => {
  it('asks with a fresh nonce and the logon kind, and opens on a valid signed "no lock"', async () => {
    stub.decision = { lock: false, reason: 'logon_kind' };
    const { controller, unlocked } = stubController(stub, timers, { lockDecision: { logonKind: () => 'local' } });
    await controller.start();
    const asked = stub.callsOf(routes.lockDecision);
    expect(asked).toHaveLength(1);
    const body = asked[0]!.body as LockDecisionBody;
    expect(body).toMatchObject({ osUser: 'CORP\\alice', logonKind: 'local' });
    expect(body.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(controller.state.phase).toBe('unlocked');
    expect(unlocked).toEqual([expect.objectContaining({ via: 'exempt', sessionId: expect.stringMatching(/^se_stub/) })]);
  });

  it('stays locked on a "no lock" whose signature does not hold (a forged or replayed answer), and says so', async () => {
    stub.decision = { lock: false, reason: 'exempt_account', tamper: true };
    const { controller, unlocked } = stubController(stub, timers, { lockDecision: { logonKind: () => 'remote' } });
    await controller.start();
    expect(controller.state).toMatchObject({ phase: 'locked', notice: { code: 'decision_invalid' } });
    expect(unlocked).toHaveLength(0);
    // The refusal is reported like a refused unlock verdict.
    expect(stub.callsOf(routes.reportVerdictFailures).length > 0).toBe(true);
  });

  it('stays locked when the answer is "lock", and does not ask at all without the option (a guard decides)', async () => {
    const { controller } = stubController(stub, timers, { lockDecision: { logonKind: () => 'local' } });
    await controller.start();
    expect(controller.state.phase).toBe('locked');
    stub.decision = { lock: false, reason: 'exempt_account' };
    const { controller: guarded } = stubController(stub, timers);
    await guarded.start();
    expect(guarded.state.phase).toBe('locked');
    expect(stub.callsOf(routes.lockDecision)).toHaveLength(1);
  });

  it('with no server, opens only for a `.\\name` account of the policy the computer holds', async () => {
    stub.offline = true;
    const kept = { ...DEFAULT_POLICY, exemptAccounts: ['.\\breakglass', 'CORP\\alice', 'alice'] };
    const local = stubController(stub, timers, {
      osUser: 'PC-01\\BreakGlass',
      computerName: 'PC-01',
      lockDecision: { logonKind: () => 'local' },
      policyStore: memoryPolicy(kept),
    });
    await local.controller.start();
    expect(local.controller.state.phase).toBe('unlocked');
    expect(local.unlocked).toEqual([{ email: '', via: 'exempt' }]);
    local.controller.dispose();

    // A domain entry needs the server to judge it: offline it keeps the lock.
    const domain = stubController(stub, timers, {
      computerName: 'PC-01',
      lockDecision: { logonKind: () => 'local' },
      policyStore: memoryPolicy(kept),
    });
    await domain.controller.start();
    expect(domain.controller.state.phase).toBe('offline');
    domain.controller.dispose();
  });

  it('keeps the policy it is given for the next start without the server', async () => {
    stub.policy = { ...stub.policy, exemptAccounts: ['.\\breakglass'], helpdeskContact: 'IT: 1234' };
    const store = memoryPolicy();
    const { controller } = stubController(stub, timers, { policyStore: store });
    await controller.start();
    expect(store.load()?.exemptAccounts).toEqual(['.\\breakglass']);

    stub.offline = true;
    const { controller: later } = stubController(stub, timers, { policyStore: store });
    await later.start();
    expect(later.state).toMatchObject({ phase: 'offline', helpdeskContact: 'IT: 1234' });
    later.dispose();
  });
});

describe('localExemption', () => {
  const policy = { ...DEFAULT_POLICY, exemptAccounts: ['.\\Admin', 'CORP\\svc'] };
  it('matches a local account by the computer name or a bare name, case-insensitively, and only `.\\` entries', () => {
    expect(localExemption('PC-01\\admin', 'pc-01', policy)).toBe(true);
    expect(localExemption('admin', 'PC-01', policy)).toBe(true);
    expect(localExemption('CORP\\admin', 'PC-01', policy)).toBe(false);
    expect(localExemption('CORP\\svc', 'PC-01', policy)).toBe(false);
    expect(localExemption('PC-01\\admin', 'PC-01', undefined)).toBe(false);
  });
});
