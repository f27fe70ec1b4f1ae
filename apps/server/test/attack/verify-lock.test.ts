import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otpFromMail, startServerProcess, startSmtpSink, type ServerProcess, type SmtpSink, testNonce } from '@latchkey/test-support';

const ANN = 'CORP\\ann';
const BOB = 'CORP\\bob';

describe('burnt OTPs and the 100-failure lock over HTTP', () => {
  let smtp: SmtpSink;
  let server: ServerProcess;
  beforeAll(async () => {
    smtp = await startSmtpSink();
    // Raised only so 100 failures fit in one minute; the OTP rules hold whatever the limits.
    server = await startServerProcess({ smtpUrl: smtp.url, env: { LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE: '1000' } });
  });
  afterAll(async () => {
    await server?.destroy();
    await smtp?.stop();
  });

  async function generate(admin: string, clientId: string, osUser: string, email: string): Promise<string> {
    const res = await server.call('POST', '/api/v1/admin/otp', { token: admin, body: { clientId, osUser, email } });
    expect(res.status).toBe(201);
    return otpFromMail(await smtp.waitFor((m) => m.to.includes(email)));
  }
  const wrong = (code: string) => (code === '00000000' ? '11111111' : '00000000');

  it('burns an OTP after 5 wrong codes and locks the Client and osUser after 100 failures, across a restart', async () => {
    const { clientId, clientToken } = await server.enroll('PC-LOCK');
    const admin = await server.login();
    const verify = (osUser: string, email: string, otp: string) =>
      server.call('POST', '/api/v1/otp/verify', { token: clientToken, body: { osUser, email, otp, nonce: testNonce() } });

    const first = await generate(admin, clientId, ANN, 'ann@corp.example.com');
    for (let i = 0; i < 5; i++) expect((await verify(ANN, 'ann@corp.example.com', wrong(first))).status).toBe(401);
    const burnt = await verify(ANN, 'ann@corp.example.com', first);
    expect(burnt.status).toBe(401);
    expect(burnt.json).toEqual({ error: { code: 'access_denied', message: expect.any(String) } });

    for (let failures = 6; failures < 100; failures++) expect((await verify(ANN, 'ann@corp.example.com', '12345678')).status).toBe(401);
    const locked = await generate(admin, clientId, ANN, 'ann2@corp.example.com');
    expect((await verify(ANN, 'ann2@corp.example.com', locked)).status).toBe(401);
    const lockouts = await server.call('GET', '/api/v1/admin/lockouts', { token: admin });
    expect(lockouts.json).toEqual([expect.objectContaining({ clientId, osUser: ANN })]);

    server = await server.restart();
    const afterRestart = await generate(admin, clientId, ANN, 'ann3@corp.example.com');
    expect((await verify(ANN, 'ann3@corp.example.com', afterRestart)).status).toBe(401);
    expect((await server.call('GET', '/api/v1/admin/lockouts', { token: admin })).json).toHaveLength(1);

    // The lock is per Client and osUser: another user of the same computer still gets in.
    const bobs = await generate(admin, clientId, BOB, 'bob@corp.example.com');
    expect((await verify(BOB, 'bob@corp.example.com', bobs)).status).toBe(200);

    // Only an admin clears it; then a fresh OTP works again.
    const cleared = await server.call('POST', '/api/v1/admin/lockouts/clear', { token: admin, body: { clientId, osUser: ANN } });
    expect(cleared.status).toBe(204);
    const fresh = await generate(admin, clientId, ANN, 'ann4@corp.example.com');
    expect((await verify(ANN, 'ann4@corp.example.com', fresh)).status).toBe(200);
  });
});
