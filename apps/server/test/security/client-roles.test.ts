import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  base64UrlToBytes,
  computeOfflineResponse,
  deriveOfflineUserKey,
  type AdminClient,
  type ClientRole,
  type EnrollResult,
  type HmacSha256,
} from '@latchkey/contracts';
import { bearer, buildTestApp, ENROLLMENT_KEY, type TestApp } from '../helper.js';

let t: TestApp;
afterEach(async () => t?.destroy());

const hmac: HmacSha256 = async (key, message) => new Uint8Array(createHmac('sha256', key).update(message, 'utf8').digest());

async function enroll(computerName: string, role?: ClientRole): Promise<EnrollResult> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/clients/enroll',
    payload: { enrollmentKey: ENROLLMENT_KEY, computerName, ...(role ? { role } : {}) },
  });
  expect(res.statusCode).toBe(201);
  return res.json();
}

async function clients(): Promise<Map<string, AdminClient>> {
  const admin = await t.adminToken();
  const list = (await t.app.inject({ method: 'GET', url: '/api/v1/admin/clients', headers: bearer(admin) })).json() as AdminClient[];
  return new Map(list.map((c) => [c.clientId, c]));
}

describe('the guard enrolls as a guard', () => {
  it('a lock and the guard of one computer are not duplicates; two locks or two guards with one name are', async () => {
    t = await buildTestApp();
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
    t = await buildTestApp();
    const guard = await enroll('PC-1', 'guard');
    expect(guard.offlineKey).toBeUndefined();
    const auth = bearer(guard.clientToken);

    const unlocked = await t.app.inject({ method: 'GET', url: `/api/v1/client/unlocked-sessions?nonce=${'A'.repeat(22)}`, headers: auth });
    expect(unlocked.statusCode).toBe(200);

    const refused = [
      { method: 'POST', url: '/api/v1/otp/requests', payload: { osUser: 'CORP\\alice', method: 'email', email: 'alice@corp.example.com' } },
      { method: 'POST', url: '/api/v1/otp/verify', payload: { osUser: 'CORP\\alice' } },
      { method: 'GET', url: '/api/v1/client/policy' },
      { method: 'POST', url: '/api/v1/client/verdict-failures', payload: { failures: [] } },
    ] as const;
    for (const call of refused) {
      const res = await t.app.inject({ ...call, headers: auth });
      expect(res.statusCode, call.url).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
    // A lock's token still does everything a lock does.
    const lock = await enroll('PC-1');
    const policy = await t.app.inject({ method: 'GET', url: '/api/v1/client/policy', headers: bearer(lock.clientToken) });
    expect(policy.statusCode).toBe(200);
  });
});

describe("an installer-enrolled (machine) Client's offline key", () => {
  it('is answered once at enrollment, never with the policy, and cannot be rotated through the server', async () => {
    t = await buildTestApp();
    const machine = await enroll('PC-1', 'machine');
    expect(machine.offlineKey).toMatchObject({ clientId: machine.clientId, version: 1 });
    // Anyone on the computer can read this token: asking without a held version gets no key.
    const policy = await t.app.inject({ method: 'GET', url: '/api/v1/client/policy', headers: bearer(machine.clientToken) });
    expect(policy.json()).toMatchObject({ offlineKeyVersion: 1 });
    expect(policy.json().offlineKey).toBeUndefined();

    const admin = await t.adminToken();
    const rotate = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/clients/${machine.clientId}/offline-key`,
      headers: bearer(admin),
    });
    expect(rotate.statusCode).toBe(409);
    expect(rotate.json().error.code).toBe('offline_key_held_by_computer');
  });

  it("the helpdesk's response is made with the user's own key, derived from the machine's", async () => {
    t = await buildTestApp();
    const machine = await enroll('PC-1', 'machine');
    const admin = await t.adminToken();
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/clients/${machine.clientId}/offline-response`,
      headers: bearer(admin),
      payload: { osUser: 'CORP\\Alice', challenge: 'ABCD-EFGH', reason: 'test' },
    });
    expect(res.statusCode).toBe(200);
    const machineKey = base64UrlToBytes(machine.offlineKey!.key);
    const input = { clientId: machine.clientId, osUser: 'corp\\alice', challenge: 'ABCDEFGH' };
    const aliceKey = await deriveOfflineUserKey(hmac, machineKey, machine.clientId, 'CORP\\alice');
    expect(res.json().responseCode).toBe(await computeOfflineResponse(hmac, aliceKey, input));
    expect(res.json().responseCode).not.toBe(await computeOfflineResponse(hmac, machineKey, input));
  });
});
