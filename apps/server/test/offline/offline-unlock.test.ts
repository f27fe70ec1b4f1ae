import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  base64UrlToBytes,
  computeOfflineResponse,
  type AdminSession,
  type AuditEvent,
  type OfflineUnlockRecord,
} from '@latchkey/contracts';
import { buildTestApp, bearer, type TestApp } from '../helper.js';
import { nodeHmacSha256 } from '../../src/offline/offline-hmac.js';

let t: TestApp;
let admin: string;
let helpdesk: string;

beforeEach(async () => {
  t = await buildTestApp();
  admin = await t.adminToken();
  await t.createUser(admin, { login: 'helen', role: 'helpdesk' });
  helpdesk = await t.adminToken('helen', 'helen-password-1');
});
afterEach(async () => t?.destroy());

interface Enrolled {
  clientId: string;
  clientToken: string;
  offlineKey: { clientId: string; version: number; key: string };
}

async function enroll(name = 'PC-OFF-01'): Promise<Enrolled> {
  return (await t.enroll(name)) as Enrolled;
}

const respond = (token: string | undefined, clientId: string, payload: object) =>
  t.app.inject({
    method: 'POST',
    url: `/api/v1/admin/clients/${clientId}/offline-response`,
    ...(token ? { headers: bearer(token) } : {}),
    payload,
  });

const policy = async (clientToken: string, held?: number) => {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/v1/client/policy${held === undefined ? '' : `?offlineKeyVersion=${held}`}`,
    headers: bearer(clientToken),
  });
  expect(res.statusCode).toBe(200);
  return res.json();
};

const audit = async (type: string): Promise<AuditEvent[]> =>
  (await t.app.inject({ method: 'GET', url: `/api/v1/admin/audit?type=${type}`, headers: bearer(admin) })).json();

function dataDirBytes(dir: string): Buffer {
  return Buffer.concat(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(join(e.parentPath, e.name))),
  );
}

const expected = (key: string, clientId: string, osUser: string, challenge: string) =>
  computeOfflineResponse(nodeHmacSha256, base64UrlToBytes(key), { clientId, osUser, challenge });

describe('offline unlock on the server', () => {
  it('gives each Client an offline key at enrollment, once, and keeps it sealed', async () => {
    const c = await enroll();
    expect(c.offlineKey).toMatchObject({ clientId: c.clientId, version: 1 });
    expect(c.offlineKey.key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const p = await policy(c.clientToken);
    expect(p).toMatchObject({ allowOfflineUnlock: true, offlineKeyVersion: 1 });
    expect(p.offlineKey).toBeUndefined();
    const bytes = dataDirBytes(t.dataDir);
    expect(bytes.includes(Buffer.from(c.offlineKey.key))).toBe(false);
    expect(bytes.includes(Buffer.from(base64UrlToBytes(c.offlineKey.key)))).toBe(false);
  });

  it('answers helpdesk with the HMAC response for the typed challenge, audits who and why, and stores no code', async () => {
    const c = await enroll();
    const res = await respond(helpdesk, c.clientId, { osUser: 'CORP\\Alice', challenge: 'abcd-efgh', reason: 'Ticket 4711: on a plane' });
    expect(res.statusCode).toBe(200);
    const { responseCode, expiresAt } = res.json();
    expect(responseCode).toBe(await expected(c.offlineKey.key, c.clientId, 'corp\\alice', 'ABCDEFGH'));
    expect(expiresAt).toBe(t.clock.now() + 15 * 60_000);

    // Bound to the osUser, the challenge and the Client.
    const other = await enroll('PC-OFF-02');
    const codes = await Promise.all([
      respond(helpdesk, c.clientId, { osUser: 'CORP\\bob', challenge: 'ABCDEFGH' }),
      respond(helpdesk, c.clientId, { osUser: 'CORP\\alice', challenge: 'ABCDEFGJ' }),
      respond(helpdesk, other.clientId, { osUser: 'CORP\\alice', challenge: 'ABCDEFGH' }),
    ]);
    for (const r of codes) expect(r.json().responseCode).not.toBe(responseCode);

    const [event] = await audit('offline_unlock.response_issued').then((events) => events.filter((e) => e.osUser === 'CORP\\Alice'));
    expect(event).toMatchObject({ actor: 'helen', clientId: c.clientId, computerName: 'PC-OFF-01' });
    expect(event!.detail).toContain('Ticket 4711: on a plane');
    expect(event!.detail).toContain('ABCDEFGH');

    await t.close();
    const everything = Buffer.concat([dataDirBytes(t.dataDir), Buffer.from(t.logs.join('\n'))]);
    for (const r of [res, ...codes]) expect(everything.includes(Buffer.from(r.json().responseCode))).toBe(false);
  });

  it('is for helpdesk and admin only; rotating the key is for admin only; an unknown Client is 404', async () => {
    const c = await enroll();
    const body = { osUser: 'alice', challenge: 'ABCD-EFGH' };
    expect((await respond(undefined, c.clientId, body)).statusCode).toBe(401);
    expect((await respond(c.clientToken, c.clientId, body)).statusCode).toBe(401);
    expect((await respond(admin, c.clientId, body)).statusCode).toBe(200);
    expect((await respond(helpdesk, 'unknownClientId0', body)).statusCode).toBe(404);
    expect((await respond(admin, 'unknownClientId0', body)).json().error.code).toBe('not_found');

    const rotate = (token: string, clientId = c.clientId) =>
      t.app.inject({ method: 'POST', url: `/api/v1/admin/clients/${clientId}/offline-key`, headers: bearer(token) });
    expect((await rotate(helpdesk)).statusCode).toBe(403);
    expect((await rotate(admin, 'unknownClientId0')).statusCode).toBe(404);
    expect((await rotate(admin)).json()).toEqual({ clientId: c.clientId, offlineKeyVersion: 2 });
  });

  it('refuses challenges that are not 8 characters of the alphabet and unknown fields', async () => {
    const c = await enroll();
    for (const challenge of ['ABCDEFG', 'ABCDEFGHJ', 'ABCD-EFG!', 'ABCDEFGU']) {
      const res = await respond(helpdesk, c.clientId, { osUser: 'alice', challenge });
      expect(res.statusCode, challenge).toBe(400);
    }
    expect((await respond(helpdesk, c.clientId, { osUser: 'alice', challenge: 'ABCDEFGH', responseCode: 'x' })).statusCode).toBe(400);
  });

  it('gives a Client enrolled before offline unlock its key with the policy until it confirms it; rotation does the same', async () => {
    const c = await enroll();
    t.app.db.prepare('UPDATE clients SET offline_key_sealed = NULL, offline_key_version = 0 WHERE id = ?').run(c.clientId);
    const first = await policy(c.clientToken, 0);
    expect(first.offlineKey).toMatchObject({ clientId: c.clientId, version: 1 });
    const again = await policy(c.clientToken); // the answer was lost: sent again, the same key
    expect(again.offlineKey).toEqual(first.offlineKey);
    expect((await policy(c.clientToken, 1)).offlineKey).toBeUndefined();
    expect((await policy(c.clientToken, 0)).offlineKey).toBeUndefined(); // confirmed: never again
    expect(await audit('client.offline_key_created')).toHaveLength(1);

    const before = (await respond(helpdesk, c.clientId, { osUser: 'alice', challenge: 'ABCDEFGH' })).json().responseCode;
    expect(before).toBe(await expected(first.offlineKey.key, c.clientId, 'alice', 'ABCDEFGH'));
    await t.app.inject({ method: 'POST', url: `/api/v1/admin/clients/${c.clientId}/offline-key`, headers: bearer(admin) });
    const rotated = await policy(c.clientToken, 1);
    expect(rotated).toMatchObject({ offlineKeyVersion: 2, offlineKey: { version: 2 } });
    expect(rotated.offlineKey.key).not.toBe(first.offlineKey.key);
    const after = (await respond(helpdesk, c.clientId, { osUser: 'alice', challenge: 'ABCDEFGH' })).json().responseCode;
    expect(after).not.toBe(before);
    expect(after).toBe(await expected(rotated.offlineKey.key, c.clientId, 'alice', 'ABCDEFGH'));
    expect((await audit('client.offline_key_rotated'))[0]).toMatchObject({ actor: 'admin', clientId: c.clientId });

    // The sealed key survives a restart of the server.
    t = await t.restart();
    admin = await t.adminToken();
    const afterRestart = (await respond(admin, c.clientId, { osUser: 'alice', challenge: 'ABCDEFGH' })).json().responseCode;
    expect(afterRestart).toBe(after);
  });

  it('records a reported offline unlock once, as a session via offline, and lists it for review', async () => {
    const c = await enroll();
    await respond(helpdesk, c.clientId, { osUser: 'CORP\\alice', challenge: 'ABCDEFGH', reason: 'Ticket 12' });
    const issuedAt = t.clock.now();
    t.clock.advance(5 * 60_000);
    const usedAt = t.clock.now();
    t.clock.advance(2 * 60 * 60_000);
    // Signed-in staff sessions lapse over two idle hours.
    admin = await t.adminToken();
    helpdesk = await t.adminToken('helen', 'helen-password-1');
    const report = (challenge: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/client/offline-unlocks',
        headers: bearer(c.clientToken),
        payload: { osUser: 'CORP\\alice', challenge, challengeIssuedAt: issuedAt, usedAt, keyVersion: 1 },
      });
    const first = await report('ABCD-EFGH');
    expect(first.statusCode).toBe(201);
    const { sessionId } = first.json();
    const repeated = await report('ABCDEFGH');
    expect(repeated.json().sessionId).toBe(sessionId);

    const sessions: AdminSession[] = (
      await t.app.inject({ method: 'GET', url: '/api/v1/admin/sessions', headers: bearer(helpdesk) })
    ).json();
    expect(sessions.find((s) => s.sessionId === sessionId)).toMatchObject({
      via: 'offline',
      osUser: 'CORP\\alice',
      userName: 'CORP\\alice (offline unlock)',
      startedAt: usedAt,
      endedAt: null,
    });
    const heartbeat = await t.app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${sessionId}/heartbeat`,
      headers: bearer(c.clientToken),
    });
    expect(heartbeat.statusCode).toBe(204);

    const used = await audit('offline_unlock.used');
    expect(used).toHaveLength(1);
    expect(used[0]).toMatchObject({ actor: 'helen', clientId: c.clientId, osUser: 'CORP\\alice' });

    // A code nobody asked this server for (a leaked key?) is recorded for review, not hidden.
    expect((await report('ZZZZ-ZZZZ')).statusCode).toBe(201);
    expect(await audit('offline_unlock.unmatched')).toHaveLength(1);

    const list: OfflineUnlockRecord[] = (
      await t.app.inject({ method: 'GET', url: '/api/v1/admin/offline-unlocks', headers: bearer(helpdesk) })
    ).json();
    expect(list).toHaveLength(2);
    expect(list.find((u) => u.challenge === 'ABCDEFGH')).toMatchObject({
      computerName: 'PC-OFF-01',
      osUser: 'CORP\\alice',
      issuedBy: 'helen',
      reason: 'Ticket 12',
      issuedAt,
      usedAt,
      reportedAt: t.clock.now(),
      sessionId,
    });
    expect(list.find((u) => u.challenge === 'ZZZZZZZZ')).toMatchObject({ issuedBy: null, issuedAt: null });
  });

  it('follows the allowOfflineUnlock setting in the policy and refuses responses when it is off', async () => {
    const c = await enroll();
    await t.updateSettings(admin, { allowOfflineUnlock: false });
    expect((await policy(c.clientToken)).allowOfflineUnlock).toBe(false);
    const res = await respond(helpdesk, c.clientId, { osUser: 'alice', challenge: 'ABCDEFGH' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('offline_unlock_disabled');
  });
});
