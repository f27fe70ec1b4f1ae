import { beforeAll, describe, expect, it } from 'vitest';
import { routes, type EnrollResult } from '@latchkey/contracts';
import { ENROLLMENT_KEY, type HttpAnswer } from '@latchkey/test-support';
import { useServerProcess } from '@latchkey/test-support/vitest';

/** The hostile bodies go raw (`send`): they are what the schema refuses, and the typed call would refuse them before sending. */
describe('hostile request bodies over HTTP', () => {
  const server = useServerProcess({
    env: { LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE: '10000', LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '10000' },
  });
  let client: EnrollResult;
  let admin: string;
  beforeAll(async () => {
    client = await server.enroll('PC-BODIES');
    admin = await server.login();
  });

  const expectError = (res: HttpAnswer, status: number, code: string) => {
    expect(res.status, res.text).toBe(status);
    expect(res.json, res.text).toEqual({ error: { code, message: expect.any(String) } });
    expect(res.text).not.toMatch(/prototype|SyntaxError|Unexpected token|JSON at position|\.js:\d+/);
  };
  const verify = (rawBody: string, headers?: Record<string, string>) =>
    server.send(routes.verifyOtp, { token: client.clientToken, rawBody, ...(headers ? { headers } : {}) });

  it.each([
    [
      '__proto__ at the top',
      '{"__proto__":{"isAdmin":true},"osUser":"ann","email":"ann@corp.example.com","otp":"12345678","nonce":"bm9uY2Utbm9uY2Utbm9uY2U"}',
    ],
    [
      'constructor.prototype at the top',
      '{"constructor":{"prototype":{"isAdmin":true}},"osUser":"ann","email":"ann@corp.example.com","otp":"12345678","nonce":"bm9uY2Utbm9uY2Utbm9uY2U"}',
    ],
    [
      '__proto__ nested',
      '{"osUser":"ann","email":"ann@corp.example.com","otp":"12345678","nonce":"bm9uY2Utbm9uY2Utbm9uY2U","x":{"__proto__":{"a":1}}}',
    ],
    [
      '__proto__ with unicode escapes',
      '{"\\u005f\\u005fproto__":{"isAdmin":true},"osUser":"ann","email":"ann@corp.example.com","otp":"12345678","nonce":"bm9uY2Utbm9uY2Utbm9uY2U"}',
    ],
  ])('refuses a body with %s with 400 and pollutes nothing', async (_name, rawBody) => {
    expectError(await verify(rawBody), 400, 'invalid_request');
    // The process is unharmed: ordinary requests behave as before.
    await server.api(client.clientToken)(routes.getPolicy, {});
    const enroll = await server.send(routes.enroll, {
      rawBody: `{"enrollmentKey":"${ENROLLMENT_KEY}","computerName":"PC-AFTER","__proto__":{"x":1}}`,
    });
    expectError(enroll, 400, 'invalid_request');
  });

  it('refuses enrollment and user creation carrying constructor or __proto__ keys', async () => {
    expectError(
      await server.send(routes.enroll, {
        body: { enrollmentKey: ENROLLMENT_KEY, computerName: 'X', constructor: { prototype: { y: 1 } } },
      }),
      400,
      'invalid_request',
    );
    const user = await server.send(routes.createUser, {
      token: admin,
      rawBody: '{"login":"eve","password":"password-12345","email":"eve@corp.example.com","role":"user","__proto__":{"role":"admin"}}',
    });
    expectError(user, 400, 'invalid_request');
    expect((await server.api(admin)(routes.listUsers, {})).map((u) => u.login)).toEqual(['admin']);
  });

  it.each([
    ['osUser as a number', { osUser: 42, email: 'ann@corp.example.com', otp: '12345678' }],
    ['osUser as an array', { osUser: ['ann'], email: 'ann@corp.example.com', otp: '12345678' }],
    ['osUser as null', { osUser: null, email: 'ann@corp.example.com', otp: '12345678' }],
    ['email as an object', { osUser: 'ann', email: { $ne: null }, otp: '12345678' }],
    ['email as an array of two', { osUser: 'ann', email: ['ann@corp.example.com', 'evil@evil.example'], otp: '12345678' }],
    ['otp as a number', { osUser: 'ann', email: 'ann@corp.example.com', otp: 12345678 }],
    ['otp as true', { osUser: 'ann', email: 'ann@corp.example.com', otp: true }],
    ['otp with a wildcard', { osUser: 'ann', email: 'ann@corp.example.com', otp: '1234567*' }],
    ['a missing field', { osUser: 'ann', email: 'ann@corp.example.com' }],
    ['an unknown field', { osUser: 'ann', email: 'ann@corp.example.com', otp: '12345678', allowed: true }],
    ['an array body', [{ osUser: 'ann', email: 'ann@corp.example.com', otp: '12345678' }]],
    ['a string body', 'ann'],
    ['a null body', null],
  ])('refuses a verification with %s with 400 invalid_request', async (_name, body) => {
    expectError(await verify(JSON.stringify(body)), 400, 'invalid_request');
  });

  it.each([
    ['truncated JSON', '{"osUser":"ann","email":'],
    ['trailing garbage', '{"osUser":"ann"}}'],
    ['single quotes', "{'osUser':'ann'}"],
    ['an empty body', ''],
    ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]).toString('latin1')],
    ['deep nesting', `${'['.repeat(8000)}${']'.repeat(8000)}`],
  ])('refuses %s with 400', async (_name, rawBody) => {
    expectError(await verify(rawBody), 400, 'invalid_request');
  });

  it('refuses a body that is not JSON with 415', async () => {
    expectError(await verify('osUser=ann', { 'content-type': 'application/x-www-form-urlencoded' }), 415, 'invalid_request');
    expectError(await verify('<a/>', { 'content-type': 'text/xml' }), 415, 'invalid_request');
  });

  it.each([
    ['just over 16 KiB', 16 * 1024 + 1],
    ['1 MiB', 1024 * 1024],
  ])('refuses a body of %s with 413 and keeps serving', async (_name, size) => {
    const rawBody = JSON.stringify({ osUser: 'a'.repeat(size), email: 'ann@corp.example.com', otp: '12345678' });
    let res: HttpAnswer | undefined;
    try {
      res = await verify(rawBody);
    } catch {
      // The server may close the connection before the client finished sending; that is a refusal too.
    }
    if (res) expectError(res, 413, 'payload_too_large');
    await server.api()(routes.health, {});
  });
});
