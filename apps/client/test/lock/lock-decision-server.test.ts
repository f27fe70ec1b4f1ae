import { describe, expect, it } from 'vitest';
import { routes } from '@latchkey/contracts';
import { OS_USER, controllerFor, useLockTestbed } from '../support/lock.js';

// "Who must unlock, and when" for a lock without a guard, against the real server: the forged and
// offline cases are in lock-decision.test.ts (a stub can forge what a real server never sends).
const { server, timers } = useLockTestbed();

describe('the lock decision at start, against the real server', () => {
  it('an exempt account: the server signs "no lock", the lock checks it and opens as exempt', async () => {
    await server.api(routes.putSettings, { body: { exemptAccounts: [OS_USER] } });
    const { controller, unlocked } = await controllerFor(server, timers, { overrides: { lockDecision: { logonKind: () => 'local' } } });
    await controller.start();
    expect(controller.state.phase).toBe('unlocked');
    expect(unlocked).toEqual([expect.objectContaining({ via: 'exempt' })]);
    const [session] = await server.api(routes.listSessions, {});
    expect(session).toMatchObject({ osUser: OS_USER, via: 'exempt', exempt: 'exempt_account' });
  });

  it('remote logons only: a console logon is not locked, a remote one is', async () => {
    await server.api(routes.putSettings, { body: { lockLocalLogons: false, lockRemoteLogons: true } });
    const local = await controllerFor(server, timers, { overrides: { lockDecision: { logonKind: () => 'local' } } });
    await local.controller.start();
    expect(local.controller.state.phase).toBe('unlocked');
    const remote = await controllerFor(server, timers, { overrides: { lockDecision: { logonKind: () => 'remote' } } });
    await remote.controller.start();
    expect(remote.controller.state.phase).toBe('locked');
    expect(remote.unlocked).toEqual([]);
  });
});
