import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { routes, type OtpRequestBody, type VerifyBody } from '@latchkey/contracts';
import { otpFromMail, testNonce } from '@latchkey/test-support';
import { ADMIN_PASSWORD, useTestApp } from '../helper.js';

/** Every byte the server keeps: the database, its WAL, and anything else in the data dir. */
function dataDirBytes(dir: string): Buffer {
  return Buffer.concat(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(join(e.parentPath, e.name))),
  );
}

describe('secrets at rest', () => {
  describe('with LATCHKEY_SECRET given', () => {
    const t = useTestApp({ env: { LATCHKEY_SECRET: Buffer.alloc(32, 7).toString('base64') } });
    const requestOtp = (token: string, body: OtpRequestBody) => t.api(token)(routes.createOtpRequest, { body });
    const verify = (token: string, body: Omit<VerifyBody, 'nonce'>) =>
      t.api(token)(routes.verifyOtp, { body: { ...body, nonce: testNonce() } });

    it('never stores or logs an issued OTP, a password or a token in clear', async () => {
      const admin = await t.adminToken();
      await t.createUser(admin, { login: 'carol', role: 'user', password: 'carol-secret-password' });
      await t.updateSettings(admin, { autoSendToInternalUsers: true, otpRequestIntervalMinutes: 0 });
      const { clientToken } = await t.enroll();
      const codes: string[] = [];
      for (let i = 0; i < 3; i++) {
        await requestOtp(clientToken, { osUser: 'carol', method: 'internal', login: 'carol', password: 'carol-secret-password' });
        await t.smtp.waitFor(() => t.smtp.mails.length >= i + 1);
        codes.push(otpFromMail(t.smtp.mails[i]!));
        // a failed verification puts the wrong code through every code path too
        const wrong = codes[i]!.replace(/\d/g, (d) => String((Number(d) + 1) % 10));
        await expect(verify(clientToken, { osUser: 'carol', email: 'carol@corp.example.com', otp: wrong })).rejects.toMatchObject({
          status: 401,
        });
      }
      await verify(clientToken, { osUser: 'carol', email: 'carol@corp.example.com', otp: codes[2]! });
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
  });

  describe('with the key the server makes', () => {
    const t = useTestApp();

    it('keeps the server key outside the database in a file only its owner can read', async () => {
      const mode = (await import('node:fs')).statSync(join(t.dataDir, 'secret.key')).mode & 0o777;
      expect(mode).toBe(0o600);
    });
  });
});
