import { afterEach, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, ENROLLMENT_KEY, type TestApp } from '../helper.js';

let t: TestApp;
afterEach(async () => t?.destroy());

async function enrollFrom(address: string, computerName: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/clients/enroll',
    remoteAddress: address,
    payload: { enrollmentKey: ENROLLMENT_KEY, computerName },
  });
  expect(res.statusCode).toBe(201);
  return res.json() as { clientId: string; clientToken: string };
}

const listClients = async (token: string) =>
  (await t.app.inject({ method: 'GET', url: '/api/v1/admin/clients', headers: bearer(token) })).json() as {
    clientId: string;
    computerName: string;
    enrolledFromAddress: string | null;
    duplicateName: boolean;
  }[];

describe('removing a rogue Client', () => {
  it('lists where each Client enrolled from and flags a second live Client with the same name', async () => {
    t = await buildTestApp();
    const admin = await t.adminToken();
    const real = await enrollFrom('10.1.2.3', 'PC-1');
    const rogue = await enrollFrom('198.51.100.66', 'pc-1');
    const other = await enrollFrom('10.1.2.4', 'PC-2');
    const list = await listClients(admin);
    const byId = new Map(list.map((c) => [c.clientId, c]));
    expect(byId.get(real.clientId)).toMatchObject({ enrolledFromAddress: '10.1.2.3', duplicateName: true });
    expect(byId.get(rogue.clientId)).toMatchObject({ enrolledFromAddress: '198.51.100.66', duplicateName: true });
    expect(byId.get(other.clientId)).toMatchObject({ duplicateName: false });

    const removed = await t.app.inject({ method: 'DELETE', url: `/api/v1/admin/clients/${rogue.clientId}`, headers: bearer(admin) });
    expect(removed.statusCode).toBe(204);
    // Only live Clients count: the real one is no longer flagged, and the removed one is not listed.
    const after = await listClients(admin);
    expect(after.map((c) => c.clientId).sort()).toEqual([real.clientId, other.clientId].sort());
    expect(after.find((c) => c.clientId === real.clientId)?.duplicateName).toBe(false);
  });

  it("refuses the removed Client's token from then on, denies its pending requests, and audits the removal", async () => {
    t = await buildTestApp();
    const admin = await t.adminToken();
    const rogue = await enrollFrom('198.51.100.66', 'PC-1');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/otp/requests',
      headers: bearer(rogue.clientToken),
      payload: { osUser: 'CORP\\ceo', method: 'email', email: 'attacker@corp.example.com' },
    });
    expect(created.statusCode).toBe(201);
    const requestId = created.json().requestId as string;

    const removed = await t.app.inject({ method: 'DELETE', url: `/api/v1/admin/clients/${rogue.clientId}`, headers: bearer(admin) });
    expect(removed.statusCode).toBe(204);

    for (const [method, url] of [
      ['GET', '/api/v1/client/policy'],
      ['GET', `/api/v1/otp/requests/${requestId}`],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: bearer(rogue.clientToken) });
      expect(res.statusCode, url).toBe(401);
      expect(res.json().error.code).toBe('unauthorized');
    }
    // Still refused after a restart: the removal is stored, not remembered.
    t = await t.restart();
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/client/policy', headers: bearer(rogue.clientToken) })).statusCode).toBe(401);

    const admin2 = await t.adminToken();
    const requests = (await t.app.inject({ method: 'GET', url: '/api/v1/admin/access-requests', headers: bearer(admin2) })).json() as {
      requestId: string;
      status: string;
      decidedBy: string | null;
    }[];
    expect(requests.find((r) => r.requestId === requestId)).toMatchObject({ status: 'denied', decidedBy: 'admin' });
    const approve = await t.app.inject({
      method: 'POST',
      url: `/api/v1/admin/access-requests/${requestId}/approve`,
      headers: bearer(admin2),
      payload: {},
    });
    expect(approve.statusCode).toBe(409);

    const audit = (
      await t.app.inject({ method: 'GET', url: '/api/v1/admin/audit?type=client.removed', headers: bearer(admin2) })
    ).json() as { actor: string; clientId: string; detail: string }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'admin', clientId: rogue.clientId });
    expect(audit[0]!.detail).toContain('198.51.100.66');

    // Gone for the admin API too: a second removal, a change or Generate Password find nothing.
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/api/v1/admin/clients/${rogue.clientId}`, headers: bearer(admin2) })).statusCode,
    ).toBe(404);
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/clients/${rogue.clientId}`,
      headers: bearer(admin2),
      payload: { allowOneTimePasswords: true },
    });
    expect(patch.statusCode).toBe(404);
    const generate = await t.app.inject({
      method: 'POST',
      url: '/api/v1/admin/otp',
      headers: bearer(admin2),
      payload: { clientId: rogue.clientId, osUser: 'CORP\\ceo', email: 'ceo@corp.example.com' },
    });
    expect(generate.statusCode).toBe(404);
  });

  it('is for admins only', async () => {
    t = await buildTestApp();
    const admin = await t.adminToken();
    await t.createUser(admin, { login: 'helen', role: 'helpdesk' });
    const helen = await t.adminToken('helen', 'helen-password-1');
    const { clientId, clientToken } = await t.enroll('PC-1');
    const res = await t.app.inject({ method: 'DELETE', url: `/api/v1/admin/clients/${clientId}`, headers: bearer(helen) });
    expect(res.statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/client/policy', headers: bearer(clientToken) })).statusCode).toBe(200);
  });
});
