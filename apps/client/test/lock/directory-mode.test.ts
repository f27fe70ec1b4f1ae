import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '@latchkey/contracts';
import { startSlapd, type Slapd, slapdEnv } from '@latchkey/test-support';
import { LockController } from '../../src/lock/lock-controller.js';
import { otpFromMail, startServer, type LiveServer } from '../support/server.js';

// Active Directory auto-send against a real OpenLDAP (the directory module speaks plain LDAP).
let slapd: Slapd;
let server: LiveServer;
beforeAll(async () => {
  slapd = await startSlapd({ users: [{ uid: 'jane', mail: 'jane@corp.example.com' }, { uid: 'nomail' }] });
  server = await startServer({
    ...slapdEnv(slapd),
    LATCHKEY_LDAP_USER_FILTER: '(uid={user})',
  });
  await server.api(routes.putSettings, { body: { autoSendToDirectoryUsers: true, otpRequestIntervalMinutes: 0 } });
});
afterAll(async () => {
  await server?.stop();
  await slapd?.stop();
});

async function controllerFor(osUser: string, computerName: string) {
  const token = await server.enroll(computerName);
  const controller = new LockController({
    baseUrl: server.baseUrl,
    fetch,
    clientToken: () => token,
    osUser,
    verdicts: server.verdictsFor(token),
  });
  await controller.start();
  return controller;
}

describe('directory mode against a real LDAP server', () => {
  it('sends the code to the mail the directory has for the OS user, and it unlocks', async () => {
    const controller = await controllerFor('CORP\\jane', 'PC-AD-UNIT-1');
    expect(controller.state.requestMode).toBe('directory');
    await controller.requestOtp({ method: 'directory' });
    expect(controller.state).toMatchObject({ email: 'jane@corp.example.com', request: { status: 'sent' }, notice: { code: 'otp_sent' } });
    const mail = await server.test.smtp.waitFor((m) => m.to.includes('jane@corp.example.com'));
    await controller.verify({ email: '', otp: otpFromMail(mail) });
    expect(controller.state.phase).toBe('unlocked');
    controller.dispose();
  });

  it('explains a directory account without mail, and a user the directory does not know', async () => {
    const noMail = await controllerFor('CORP\\nomail', 'PC-AD-UNIT-2');
    await noMail.requestOtp({ method: 'directory' });
    expect(noMail.state.notice).toMatchObject({
      code: 'directory_user_no_mail',
      text: 'Your directory account has no email address. Use emergency access instead.',
    });
    const unknown = await controllerFor('CORP\\ghost', 'PC-AD-UNIT-3');
    await unknown.requestOtp({ method: 'directory' });
    expect(unknown.state.notice?.code).toBe('directory_user_not_found');
    expect(unknown.state.phase).toBe('locked');
  });

  it('says the directory cannot be reached without calling the lock offline', async () => {
    const controller = await controllerFor('CORP\\jane', 'PC-AD-UNIT-4');
    await slapd.stop();
    await controller.requestOtp({ method: 'directory' });
    expect(controller.state).toMatchObject({ phase: 'locked', notice: { code: 'directory_unavailable' } });
    expect(controller.state.retry).toBeUndefined();
  });
});
