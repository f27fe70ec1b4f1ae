import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, bearer, ADMIN_PASSWORD, type TestApp } from '../helper.js';
import { otpFromMail } from '@latchkey/test-support';

let t: TestApp;
afterEach(async () => t?.destroy());

/** Every byte the server keeps: the database, its WAL, and anything else in the data dir. */
function dataDirBytes(dir: string): Buffer {
  return Buffer.concat(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(join(e.parentPath, e.name))),
  );
}

describe('secrets at rest', () => {
  it('never stores or logs an issued OTP, a password or a token in clear', async () => {
    t = await buildTestApp({ env: { LATCHKEY_SECRET: Buffer.alloc(32, 7).toString('base64') } });
    const admin = await t.adminToken();
    await t.createUser(admin, { login: 'carol', role: 'user', password: 'carol-secret-password' });
    await t.updateSettings(admin, { autoSendToInternalUsers: true, otpRequestIntervalMinutes: 0 });
    const { clientToken } = await t.enroll();
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/otp/requests',
        headers: bearer(clientToken),
        payload: { osUser: 'carol', method: 'internal', login: 'carol', password: 'carol-secret-password' },
      });
      expect(res.statusCode).toBe(201);
      await t.smtp.waitFor(() => t.smtp.mails.length >= i + 1);
      codes.push(otpFromMail(t.smtp.mails[i]!));
      // a failed verification puts the wrong code through every code path too
      await t.app.inject({
        method: 'POST',
        url: '/api/v1/otp/verify',
        headers: bearer(clientToken),
        payload: { osUser: 'carol', email: 'carol@corp.example.com', otp: codes[i]!.split('').reverse().join('') },
      });
    }
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/otp/verify',
      headers: bearer(clientToken),
      payload: { osUser: 'carol', email: 'carol@corp.example.com', otp: codes[2] },
    });
    await t.close();

    const stored = dataDirBytes(t.dataDir).toString('latin1');
    const logs = t.logs.join('\n');
    const audit = stored; // audit events live in the database file
    for (const secret of [...codes, ADMIN_PASSWORD, 'carol-secret-password', clientToken, admin]) {
      expect(stored.includes(secret), `data dir holds ${secret}`).toBe(false);
      expect(logs.includes(secret), `logs hold ${secret}`).toBe(false);
      expect(audit.includes(secret)).toBe(false);
    }
  });

  it('keeps the server key outside the database in a file only its owner can read', async () => {
    t = await buildTestApp();
    const mode = (await import('node:fs')).statSync(join(t.dataDir, 'secret.key')).mode & 0o777;
    expect(mode).toBe(0o600);
  });
});
