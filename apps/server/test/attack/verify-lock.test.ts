import { describe, expect, it } from 'vitest';
import { routes } from '@latchkey/contracts';
import { otpFromMail, testNonce } from '@latchkey/test-support';
import { useServerProcess } from '@latchkey/test-support/vitest';

const ANN = 'CORP\\ann';
const BOB = 'CORP\\bob';

describe('burnt OTPs and the 100-failure lock over HTTP', () => {
  // Raised only so 100 failures fit in one minute; the OTP rules hold whatever the limits.
  const server = useServerProcess({ smtp: true, env: { LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE: '1000' } });

  async function generate(admin: string, clientId: string, osUser: string, email: string): Promise<string> {
    await server.api(admin)(routes.generateOtp, { body: { clientId, osUser, email } });
    return otpFromMail(await server.smtp.waitFor((m) => m.to.includes(email)));
  }
  const refused = { status: 401, code: 'access_denied' };
  const wrong = (code: string) => (code === '00000000' ? '11111111' : '00000000');

  it('burns an OTP after 5 wrong codes and locks the Client and osUser after 100 failures, across a restart', async () => {
    const { clientId, clientToken } = await server.enroll('PC-LOCK');
    const admin = await server.login();
    const verify = (osUser: string, email: string, otp: string) =>
      server.api(clientToken)(routes.verifyOtp, { body: { osUser, email, otp, nonce: testNonce() } });

    const first = await generate(admin, clientId, ANN, 'ann@corp.example.com');
    for (let i = 0; i < 5; i++) await expect(verify(ANN, 'ann@corp.example.com', wrong(first))).rejects.toMatchObject(refused);
    await expect(verify(ANN, 'ann@corp.example.com', first)).rejects.toMatchObject(refused);

    for (let failures = 6; failures < 100; failures++)
      await expect(verify(ANN, 'ann@corp.example.com', '12345678')).rejects.toMatchObject(refused);
    const locked = await generate(admin, clientId, ANN, 'ann2@corp.example.com');
    await expect(verify(ANN, 'ann2@corp.example.com', locked)).rejects.toMatchObject(refused);
    expect(await server.api(admin)(routes.listLockouts, {})).toEqual([expect.objectContaining({ clientId, osUser: ANN })]);

    await server.restart();
    const afterRestart = await generate(admin, clientId, ANN, 'ann3@corp.example.com');
    await expect(verify(ANN, 'ann3@corp.example.com', afterRestart)).rejects.toMatchObject(refused);
    expect(await server.api(admin)(routes.listLockouts, {})).toHaveLength(1);

    // The lock is per Client and osUser: another user of the same computer still gets in.
    const bobs = await generate(admin, clientId, BOB, 'bob@corp.example.com');
    await verify(BOB, 'bob@corp.example.com', bobs);

    // Only an admin clears it; then a fresh OTP works again.
    await server.api(admin)(routes.clearLockout, { body: { clientId, osUser: ANN } });
    const fresh = await generate(admin, clientId, ANN, 'ann4@corp.example.com');
    await verify(ANN, 'ann4@corp.example.com', fresh);
  });
});
