import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  base64UrlToBytes,
  computeOfflineResponse,
  deriveOfflineUserKey,
  routes,
  type AdminClient,
  type ClientRole,
  type EnrollResult,
  type HmacSha256,
} from '@latchkey/contracts';
import { ENROLLMENT_KEY, useTestApp } from '../helper.js';
import { testNonce } from '@latchkey/test-support';

const t = useTestApp();

const hmac: HmacSha256 = async (key, message) => new Uint8Array(createHmac('sha256', key).update(message, 'utf8').digest());

const enroll = (computerName: string, role?: ClientRole): Promise<EnrollResult> =>
  t.api()(routes.enroll, { body: { enrollmentKey: ENROLLMENT_KEY, computerName, ...(role ? { role } : {}) } });

async function clients(): Promise<Map<string, AdminClient>> {
  const list = await t.api(await t.adminToken())(routes.listClients, {});
  return new Map(list.map((c) => [c.clientId, c]));
}

describe('the guard enrolls as a guard', () => {
  it('a lock and the guard of one computer are not duplicates; two locks or two guards with one name are', async () => {
    const lock = await enroll('PC-1');
    const guard = await enroll('pc-1', 'guard');
    const machine = await enroll('PC-2', 'machine');
    const machineGuard = await enroll('PC-2', 'guard');
    let byId = await clients();
    expect(byId.get(lock.clientId)).toMatchObject({ role: 'lock', duplicateName: false });
    expect(byId.get(guard.clientId)).toMatchObject({ role: 'guard', duplicateName: false });
    expect(byId.get(machine.clientId)).toMatchObject({ role: 'machine', duplicateName: false });
    expect(byId.get(machineGuard.clientId)).toMatchObject({ role: 'guard', duplicateName: false });

    // A rogue lock under PC-1's name, and a second guard under PC-2's: both pairs stand out.
    const rogueLock = await enroll('PC-1', 'machine');
    const rogueGuard = await enroll('PC-2', 'guard');
    byId = await clients();
    expect(byId.get(lock.clientId)?.duplicateName).toBe(true);
    expect(byId.get(rogueLock.clientId)?.duplicateName).toBe(true);
    expect(byId.get(guard.clientId)?.duplicateName).toBe(false);
    expect(byId.get(machineGuard.clientId)?.duplicateName).toBe(true);
    expect(byId.get(rogueGuard.clientId)?.duplicateName).toBe(true);
    expect(byId.get(machine.clientId)?.duplicateName).toBe(false);
  });

  it('a guard gets no offline key and may only ask for the signed unlocked sessions', async () => {
    const guard = await enroll('PC-1', 'guard');
    expect(guard.offlineKey).toBeUndefined();
    const asGuard = t.api(guard.clientToken);

    await asGuard(routes.getUnlockedSessions, { query: { nonce: 'A'.repeat(22) } });

    // Well-formed requests of a lock, each refused for the guard's role.
    const forbidden = { status: 403, code: 'forbidden' };
    const osUser = 'CORP\\alice';
    const email = 'alice@corp.example.com';
    await expect(asGuard(routes.createOtpRequest, { body: { osUser, method: 'email', email } }), 'otp requests').rejects.toMatchObject(
      forbidden,
    );
    await expect(
      asGuard(routes.verifyOtp, { body: { osUser, email, otp: '12345678', nonce: testNonce() } }),
      'otp verify',
    ).rejects.toMatchObject(forbidden);
    await expect(asGuard(routes.getPolicy, {}), 'policy').rejects.toMatchObject(forbidden);
    await expect(
      asGuard(routes.reportVerdictFailures, { body: { failures: [{ osUser, reason: 'missing', at: t.clock.now() }] } }),
      'verdict failures',
    ).rejects.toMatchObject(forbidden);
    // A lock's token still does everything a lock does.
    const lock = await enroll('PC-1');
    await t.api(lock.clientToken)(routes.getPolicy, {});
  });
});

describe("an installer-enrolled (machine) Client's offline key", () => {
  it('is answered once at enrollment, never with the policy, and cannot be rotated through the server', async () => {
    const machine = await enroll('PC-1', 'machine');
    expect(machine.offlineKey).toMatchObject({ clientId: machine.clientId, version: 1 });
    // Anyone on the computer can read this token: asking without a held version gets no key.
    const policy = await t.api(machine.clientToken)(routes.getPolicy, {});
    expect(policy).toMatchObject({ offlineKeyVersion: 1 });
    expect(policy.offlineKey).toBeUndefined();

    const admin = await t.adminToken();
    await expect(t.api(admin)(routes.rotateOfflineKey, { params: { clientId: machine.clientId } })).rejects.toMatchObject({
      status: 409,
      code: 'offline_key_held_by_computer',
    });
  });

  it("the helpdesk's response is made with the user's own key, derived from the machine's", async () => {
    const machine = await enroll('PC-1', 'machine');
    const admin = await t.adminToken();
    const { responseCode } = await t.api(admin)(routes.offlineResponse, {
      params: { clientId: machine.clientId },
      body: { osUser: 'CORP\\Alice', challenge: 'ABCD-EFGH', reason: 'test' },
    });
    const machineKey = base64UrlToBytes(machine.offlineKey!.key);
    const input = { clientId: machine.clientId, osUser: 'corp\\alice', challenge: 'ABCDEFGH' };
    const aliceKey = await deriveOfflineUserKey(hmac, machineKey, machine.clientId, 'CORP\\alice');
    expect(responseCode).toBe(await computeOfflineResponse(hmac, aliceKey, input));
    expect(responseCode).not.toBe(await computeOfflineResponse(hmac, machineKey, input));
  });
});
