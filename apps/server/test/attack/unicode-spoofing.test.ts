import { afterEach, describe, expect, it } from 'vitest';
import { routes } from '@latchkey/contracts';
import { buildTestApp, ENROLLMENT_KEY, type TestApp } from '../helper.js';

let t: TestApp;
afterEach(async () => t?.destroy());

// The spoofed names go unchecked (`t.send`): they are what the schema refuses, and the typed call would refuse them before sending.
const enroll = (computerName: string) => t.send(routes.enroll, { body: { enrollmentKey: ENROLLMENT_KEY, computerName } });

const requestOtp = (token: string, body: Record<string, unknown>) => t.send(routes.createOtpRequest, { token, body });

describe('Unicode spoofing', () => {
  it('refuses `PC-1` with a zero-width space, and every other invisible or control character, at enrollment', async () => {
    t = await buildTestApp();
    for (const name of ['PC-1\u200b', '\u200dPC-1', 'PC\u00ad-1', 'PC-1\ufeff', 'PC-1\u2028', 'PC-1\u0085', 'PC-1\u{e0041}', 'PC-1\t']) {
      const res = await enroll(name);
      expect(res.statusCode, JSON.stringify(name)).toBe(400);
      expect(res.json().error.code).toBe('invalid_request');
    }
    expect((await t.query<{ n: number }>('SELECT count(*) AS n FROM clients'))[0]!.n).toBe(0);
    expect((await enroll('PC-1')).statusCode).toBe(201);
  });

  it('refuses a bidi override in osUser and a lone surrogate anywhere, with 400 invalid_request', async () => {
    t = await buildTestApp();
    const { clientToken } = await t.enroll('PC-1');
    const attempts: Record<string, unknown>[] = [
      { osUser: 'CORP\\\u202egnp.exe', method: 'email', email: 'ann@corp.example.com' },
      { osUser: 'CORP\\ann\u2066', method: 'email', email: 'ann@corp.example.com' },
      { osUser: 'CORP\\\ud800', method: 'email', email: 'ann@corp.example.com' },
      { osUser: 'CORP\\ann', method: 'emergency', email: 'ann@corp.example.com', reason: 'lost \udfff phone' },
      { osUser: 'CORP\\ann', method: 'emergency', email: 'ann@corp.example.com', reason: 'approve me\u202e' },
    ];
    for (const body of attempts) {
      const res = await requestOtp(clientToken, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.code).toBe('invalid_request');
      expect(res.body).not.toContain('\\ud800');
    }
    expect((await t.query<{ n: number }>('SELECT count(*) AS n FROM otp_requests'))[0]!.n).toBe(0);

    const admin = await t.adminToken();
    const { clientId } = (await t.api(admin)(routes.listClients, {}))[0]!;
    for (const payload of [
      { clientId, osUser: 'CORP\\ann', email: 'ann@corp.example.com', comment: 'ok\u200b' },
      { clientId, osUser: '\u202bCORP\\ann', email: 'ann@corp.example.com' },
    ]) {
      const res = await t.send(routes.generateOtp, { token: admin, body: payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    const login = await t.send(routes.adminLogin, { body: { login: 'admin\u200b', password: 'x' } });
    expect(login.statusCode).toBe(400);
  });

  it('stores a decomposed é composed (NFC), so both spellings are one name, and keeps line breaks in a reason', async () => {
    t = await buildTestApp();
    const decomposed = 'PC-Re\u0301ception';
    const composed = 'PC-R\u00e9ception';
    const { clientToken } = await t.enroll(decomposed);
    await t.api(clientToken)(routes.createOtpRequest, {
      body: { osUser: 'CORP\\jose\u0301', method: 'emergency', email: 'jose@corp.example.com', reason: 'caf\u0065\u0301\nsecond line' },
    });

    expect(await t.query<{ name: string }>('SELECT computer_name AS name FROM clients')).toEqual([{ name: composed }]);
    expect(await t.query<{ osUser: string; reason: string }>('SELECT os_user AS "osUser", reason FROM otp_requests')).toEqual([
      { osUser: 'CORP\\jos\u00e9', reason: 'caf\u00e9\nsecond line' },
    ]);
    const admin = await t.adminToken();
    const clients = await t.api(admin)(routes.listClients, {});
    expect(clients[0]!.computerName).toBe(composed);
    // The other spelling of the same name is the same name: flagged as a duplicate.
    await t.enroll(composed);
    const after = await t.api(admin)(routes.listClients, {});
    expect(after.map((c) => c.duplicateName)).toEqual([true, true]);
  });
});
