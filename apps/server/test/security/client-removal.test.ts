import { describe, expect, it } from 'vitest';
import { createApiClient, routes } from '@latchkey/contracts';
import { injectFetch, type Injectable } from '@latchkey/test-support';
import { ENROLLMENT_KEY, useTestApp } from '../helper.js';

const t = useTestApp();

/** Enrolls through the typed client as if from `address`: app.inject's remoteAddress on every request. */
function enrollFrom(address: string, computerName: string) {
  const fromAddress: Injectable = { inject: (options) => t.app.inject({ ...options, remoteAddress: address }) };
  return createApiClient({ baseUrl: '', fetch: injectFetch(fromAddress) })(routes.enroll, {
    body: { enrollmentKey: ENROLLMENT_KEY, computerName },
  });
}

const listClients = (admin: string) => t.api(admin)(routes.listClients, {});
const removeClient = (admin: string, clientId: string) => t.api(admin)(routes.deleteClient, { params: { clientId } });
const policy = (clientToken: string) => t.api(clientToken)(routes.getPolicy, {});

describe('removing a rogue Client', () => {
  it('lists where each Client enrolled from and flags a second live Client with the same name', async () => {
    const admin = await t.adminToken();
    const real = await enrollFrom('10.1.2.3', 'PC-1');
    const rogue = await enrollFrom('198.51.100.66', 'pc-1');
    const other = await enrollFrom('10.1.2.4', 'PC-2');
    const list = await listClients(admin);
    const byId = new Map(list.map((c) => [c.clientId, c]));
    expect(byId.get(real.clientId)).toMatchObject({ enrolledFromAddress: '10.1.2.3', duplicateName: true });
    expect(byId.get(rogue.clientId)).toMatchObject({ enrolledFromAddress: '198.51.100.66', duplicateName: true });
    expect(byId.get(other.clientId)).toMatchObject({ duplicateName: false });

    await removeClient(admin, rogue.clientId);
    // Only live Clients count: the real one is no longer flagged, and the removed one is not listed.
    const after = await listClients(admin);
    expect(after.map((c) => c.clientId).sort()).toEqual([real.clientId, other.clientId].sort());
    expect(after.find((c) => c.clientId === real.clientId)?.duplicateName).toBe(false);
  });

  it("refuses the removed Client's token from then on, denies its pending requests, and audits the removal", async () => {
    const admin = await t.adminToken();
    const rogue = await enrollFrom('198.51.100.66', 'PC-1');
    const { requestId } = await t.api(rogue.clientToken)(routes.createOtpRequest, {
      body: { osUser: 'CORP\\ceo', method: 'email', email: 'attacker@corp.example.com' },
    });

    await removeClient(admin, rogue.clientId);

    const unauthorized = { status: 401, code: 'unauthorized' };
    await expect(policy(rogue.clientToken), 'policy').rejects.toMatchObject(unauthorized);
    await expect(t.api(rogue.clientToken)(routes.getOtpRequest, { params: { requestId } }), 'request').rejects.toMatchObject(unauthorized);
    // Still refused after a restart: the removal is stored, not remembered.
    await t.restart();
    await expect(policy(rogue.clientToken)).rejects.toMatchObject({ status: 401 });

    const admin2 = await t.adminToken();
    const requests = await t.api(admin2)(routes.listAccessRequests, {});
    expect(requests.find((r) => r.requestId === requestId)).toMatchObject({ status: 'denied', decidedBy: 'admin' });
    await expect(t.api(admin2)(routes.approveAccessRequest, { params: { requestId }, body: {} })).rejects.toMatchObject({ status: 409 });

    const audit = await t.api(admin2)(routes.listAudit, { query: { type: 'client.removed' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'admin', clientId: rogue.clientId });
    expect(audit[0]!.detail).toContain('198.51.100.66');

    // Gone for the admin API too: a second removal, a change or Generate Password find nothing.
    await expect(removeClient(admin2, rogue.clientId)).rejects.toMatchObject({ status: 404 });
    await expect(
      t.api(admin2)(routes.patchClient, { params: { clientId: rogue.clientId }, body: { allowOneTimePasswords: true } }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(
      t.api(admin2)(routes.generateOtp, { body: { clientId: rogue.clientId, osUser: 'CORP\\ceo', email: 'ceo@corp.example.com' } }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it('is for admins only', async () => {
    const admin = await t.adminToken();
    await t.createUser(admin, { login: 'helen', role: 'helpdesk' });
    const helen = await t.adminToken('helen', 'helen-password-1');
    const { clientId, clientToken } = await t.enroll('PC-1');
    await expect(removeClient(helen, clientId)).rejects.toMatchObject({ status: 403 });
    await policy(clientToken);
  });
});
