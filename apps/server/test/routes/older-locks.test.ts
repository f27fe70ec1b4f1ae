import { describe, expect, it } from 'vitest';
import { Type, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { otpFromMail, testNonce } from '@latchkey/test-support';
import { API_LEVEL, API_LEVEL_HEADER, DEFAULT_SETTINGS, routes } from '@latchkey/contracts';
import { useTestApp } from '../helper.js';

/**
 * "Upgrade the server first": the locks already in the field are v1.1 and check every answer against
 * the schemas they were built with, refusing any field those do not name ("The server sent an answer
 * that does not match the contract"). These are those schemas, frozen as the second release shipped
 * them (packages/contracts at 6151105); a v1.1 lock sends no `latchkey-api` header.
 */
const V1_1_POLICY = Type.Object(
  {
    allowOneTimePasswords: Type.Boolean(),
    autoSendToDirectoryUsers: Type.Boolean(),
    autoSendToInternalUsers: Type.Boolean(),
    accessRequestExpirationMinutes: Type.Integer(),
    otpRequestIntervalMinutes: Type.Integer(),
    otpLength: Type.Integer(),
    askAgainOnUnlock: Type.Boolean(),
    unlockGraceMinutes: Type.Integer(),
    computerName: Type.Optional(Type.String()),
    allowOfflineUnlock: Type.Boolean(),
    offlineKeyVersion: Type.Integer({ minimum: 0 }),
    offlineKey: Type.Optional(Type.Object({ clientId: Type.String(), version: Type.Integer(), key: Type.String() })),
  },
  { additionalProperties: false },
);
const V1_1_REQUEST_STATE = Type.Object(
  {
    requestId: Type.String(),
    status: Type.Union(['pending', 'sent', 'denied', 'expired', 'used', 'superseded', 'burnt', 'cancelled'].map((s) => Type.Literal(s))),
    email: Type.String(),
    expiresAt: Type.Optional(Type.Integer()),
    comment: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

const t = useTestApp();

/** The v1.1 lock's reading of an answer: its status, then its schema, as its typed client did. */
function asV11Lock(answer: { statusCode: number; body: string }, status: number, schema: TSchema) {
  expect(answer.statusCode).toBe(status);
  const parsed: unknown = JSON.parse(answer.body);
  expect([...Value.Errors(schema, parsed)].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
  return parsed as Record<string, unknown>;
}

describe('a lock of v1.1 talking to this server (upgraded first)', () => {
  it('reads its policy, its request states and its resend and cancel answers in the shape it was built for', async () => {
    const admin = await t.adminToken();
    const { clientToken } = await t.enroll('PC-OLD-LOCK');
    // Settings that v1.2 added, set: they must still not reach the old lock.
    await t.updateSettings(admin, { lockTitle: 'Acme workstation', helpdeskContact: 'Call 4242' });

    asV11Lock(await t.send(routes.getPolicy, { token: clientToken }), 200, V1_1_POLICY);

    const asked = asV11Lock(
      await t.send(routes.createOtpRequest, {
        token: clientToken,
        body: { osUser: 'CORP\\ann', method: 'email', email: 'ann@corp.example.com' },
      }),
      201,
      V1_1_REQUEST_STATE,
    );
    const requestId = asked.requestId as string;
    await t.api(admin)(routes.approveAccessRequest, { params: { requestId }, body: {} });
    const otp = otpFromMail(await t.smtp.waitFor((m) => m.to.includes('ann@corp.example.com')));

    // `sent`: the state a v1.2 lock reads with attemptsLeft.
    const sent = asV11Lock(await t.send(routes.getOtpRequest, { token: clientToken, params: { requestId } }), 200, V1_1_REQUEST_STATE);
    expect(sent.status).toBe('sent');
    expect(asV11Lock(await t.send(routes.resendOtp, { token: clientToken, params: { requestId } }), 202, V1_1_REQUEST_STATE).status).toBe(
      'sent',
    );

    // And it still unlocks.
    const verified = await t.send(routes.verifyOtp, {
      token: clientToken,
      body: { osUser: 'CORP\\ann', email: 'ann@corp.example.com', otp, nonce: testNonce() },
    });
    expect(verified.statusCode).toBe(200);
    expect(JSON.parse(verified.body)).toMatchObject({ allowed: true });
  });

  it('reads a cancelled sent request ("Wrong address?" of v1.2, by helpdesk or a newer lock) in its shape', async () => {
    const admin = await t.adminToken();
    const { clientToken } = await t.enroll('PC-OLD-LOCK-2');
    const body = { osUser: 'CORP\\bob', method: 'email', email: 'bob@crop.example.com' } as const;
    const { requestId } = await t.api(clientToken)(routes.createOtpRequest, { body });
    await t.api(admin)(routes.approveAccessRequest, { params: { requestId }, body: {} });
    const cancelled = asV11Lock(
      await t.send(routes.cancelOtpRequest, { token: clientToken, params: { requestId } }),
      200,
      V1_1_REQUEST_STATE,
    );
    expect(cancelled.status).toBe('cancelled');
  });

  it('gives a caller that says it speaks v1.2 the v1.2 answer, with its new fields', async () => {
    const admin = await t.adminToken();
    const { clientToken } = await t.enroll('PC-NEW-LOCK');
    await t.updateSettings(admin, { lockTitle: 'Acme workstation' });
    const v12 = { headers: { [API_LEVEL_HEADER]: API_LEVEL } };
    // The typed client sends the header itself.
    expect(await t.api(clientToken)(routes.getPolicy, {})).toMatchObject({ lockTitle: 'Acme workstation', lockLocalLogons: true });
    const { requestId } = await t.api(clientToken)(routes.createOtpRequest, {
      body: { osUser: 'CORP\\cy', method: 'email', email: 'cy@corp.example.com' },
    });
    await t.api(admin)(routes.approveAccessRequest, { params: { requestId }, body: {} });
    const state = await t.send(routes.getOtpRequest, { token: clientToken, params: { requestId }, ...v12 });
    expect(JSON.parse(state.body)).toMatchObject({ status: 'sent', attemptsLeft: DEFAULT_SETTINGS.maxVerifyAttempts });
  });
});
