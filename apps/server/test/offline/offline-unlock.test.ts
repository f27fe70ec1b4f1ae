import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  base64UrlToBytes,
  computeOfflineResponse,
  deriveOfflineUserKey,
  routes,
  type ClientRole,
  type OfflineResponseBody,
} from '@latchkey/contracts';
import { ENROLLMENT_KEY, useTestApp } from '../helper.js';
import { nodeHmacSha256 } from '../../src/offline/offline-hmac.js';

const t = useTestApp();
let admin: string;
let helpdesk: string;

beforeEach(async () => {
  admin = await t.adminToken();
  await t.createUser(admin, { login: 'helen', role: 'helpdesk' });
  helpdesk = await t.adminToken('helen', 'helen-password-1');
});

interface Enrolled {
  clientId: string;
  clientToken: string;
  offlineKey: { clientId: string; version: number; key: string };
}

/** v1.2: offline unlock needs the guard, so the computer's (installer-enrolled) machine Client holds the key. */
async function enroll(name = 'PC-OFF-01', role: ClientRole = 'machine'): Promise<Enrolled> {
  return (await t.api()(routes.enroll, { body: { enrollmentKey: ENROLLMENT_KEY, computerName: name, role } })) as Enrolled;
}

const respond = (token: string | undefined, clientId: string, body: OfflineResponseBody) =>
  t.api(token)(routes.offlineResponse, { params: { clientId }, body });

const policy = (clientToken: string, held?: number) =>
  t.api(clientToken)(routes.getPolicy, held === undefined ? {} : { query: { offlineKeyVersion: String(held) } });

const audit = (type: string) => t.api(admin)(routes.listAudit, { query: { type } });

function dataDirBytes(dir: string): Buffer {
  return Buffer.concat(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => readFileSync(join(e.parentPath, e.name))),
  );
}

/** The response a guard expects: made with the user's key, derived from the machine's. */
const expected = async (key: string, clientId: string, osUser: string, challenge: string) =>
  computeOfflineResponse(nodeHmacSha256, await deriveOfflineUserKey(nodeHmacSha256, base64UrlToBytes(key), clientId, osUser), {
    clientId,
    osUser,
    challenge,
  });

describe('offline unlock on the server', () => {
  it('gives the machine Client an offline key at enrollment, once, and keeps it sealed', async () => {
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
    const { responseCode, expiresAt } = res;
    expect(responseCode).toBe(await expected(c.offlineKey.key, c.clientId, 'corp\\alice', 'ABCDEFGH'));
    expect(expiresAt).toBe(t.clock.now() + 15 * 60_000);

    // Bound to the osUser, the challenge and the Client.
    const other = await enroll('PC-OFF-02');
    const codes = await Promise.all([
      respond(helpdesk, c.clientId, { osUser: 'CORP\\bob', challenge: 'ABCDEFGH' }),
      respond(helpdesk, c.clientId, { osUser: 'CORP\\alice', challenge: 'ABCDEFGJ' }),
      respond(helpdesk, other.clientId, { osUser: 'CORP\\alice', challenge: 'ABCDEFGH' }),
    ]);
    for (const r of codes) expect(r.responseCode).not.toBe(responseCode);

    const [event] = await audit('offline_unlock.response_issued').then((events) => events.filter((e) => e.osUser === 'CORP\\Alice'));
    expect(event).toMatchObject({ actor: 'helen', clientId: c.clientId, computerName: 'PC-OFF-01' });
    expect(event!.detail).toContain('Ticket 4711: on a plane');
    expect(event!.detail).toContain('ABCDEFGH');

    await t.close();
    const everything = Buffer.concat([dataDirBytes(t.dataDir), Buffer.from(t.logs.join('\n'))]);
    for (const r of [res, ...codes]) expect(everything.includes(Buffer.from(r.responseCode))).toBe(false);
  });

  it('is for helpdesk and admin only; rotating the key is for admin only; an unknown Client is 404', async () => {
    const c = await enroll();
    const body = { osUser: 'alice', challenge: 'ABCD-EFGH' };
    await expect(respond(undefined, c.clientId, body)).rejects.toMatchObject({ status: 401 });
    await expect(respond(c.clientToken, c.clientId, body)).rejects.toMatchObject({ status: 401 });
    expect(await respond(admin, c.clientId, body)).toMatchObject({ responseCode: expect.any(String) });
    await expect(respond(helpdesk, 'unknownClientId0', body)).rejects.toMatchObject({ status: 404 });
    await expect(respond(admin, 'unknownClientId0', body)).rejects.toMatchObject({ code: 'not_found' });

    const rotate = (token: string, clientId = c.clientId) => t.api(token)(routes.rotateOfflineKey, { params: { clientId } });
    await expect(rotate(helpdesk)).rejects.toMatchObject({ status: 403 });
    await expect(rotate(admin, 'unknownClientId0')).rejects.toMatchObject({ status: 404 });
    await expect(rotate(admin)).rejects.toMatchObject({ status: 409, code: 'offline_key_held_by_computer' });
  });

  it('refuses challenges that are not 8 characters of the alphabet and unknown fields', async () => {
    const c = await enroll();
    // Sent unchecked: some of these the schema refuses, and the server must refuse them itself.
    const params = { clientId: c.clientId };
    for (const challenge of ['ABCDEFG', 'ABCDEFGHJ', 'ABCD-EFG!', 'ABCDEFGU']) {
      const res = await t.send(routes.offlineResponse, { token: helpdesk, params, body: { osUser: 'alice', challenge } });
      expect(res.statusCode, challenge).toBe(400);
    }
    const extra = await t.send(routes.offlineResponse, {
      token: helpdesk,
      params,
      body: { osUser: 'alice', challenge: 'ABCDEFGH', responseCode: 'x' },
    });
    expect(extra.statusCode).toBe(400);
  });

  it('gives a lock enrolled from a user profile no offline key: not at enrollment, not with the policy, no response, no rotation', async () => {
    const lock = await enroll('PC-OFF-02', 'lock');
    expect(lock.offlineKey).toBeUndefined();
    // One enrolled before v1.2 still has a sealed key: it is never sent again, nor used for a response.
    await enroll('PC-OFF-03', 'machine');
    await t.query(
      'UPDATE clients SET offline_key_sealed = (SELECT offline_key_sealed FROM clients WHERE computer_name = ?), offline_key_version = 1, offline_key_pending = 1 WHERE id = ?',
      'PC-OFF-03',
      lock.clientId,
    );
    for (const held of [undefined, 0]) {
      const p = await policy(lock.clientToken, held);
      expect(p.offlineKey, `held ${held}`).toBeUndefined();
    }
    await expect(respond(helpdesk, lock.clientId, { osUser: 'alice', challenge: 'ABCDEFGH' })).rejects.toMatchObject({
      status: 409,
      code: 'offline_key_missing',
    });
    await expect(t.api(admin)(routes.rotateOfflineKey, { params: { clientId: lock.clientId } })).rejects.toMatchObject({
      status: 409,
      code: 'offline_key_missing',
    });
  });

  it('keeps the sealed key across a restart of the server', async () => {
    const c = await enroll();
    const before = (await respond(helpdesk, c.clientId, { osUser: 'alice', challenge: 'ABCDEFGH' })).responseCode;
    expect(before).toBe(await expected(c.offlineKey.key, c.clientId, 'alice', 'ABCDEFGH'));
    await t.restart();
    admin = await t.adminToken();
    expect((await respond(admin, c.clientId, { osUser: 'alice', challenge: 'ABCDEFGH' })).responseCode).toBe(before);
  });

  it('records the guard’s report of an offline unlock once, as a session via offline, and lists it for review', async () => {
    const c = await enroll();
    const guard = await enroll('PC-OFF-01', 'guard');
    await respond(helpdesk, c.clientId, { osUser: 'CORP\\alice', challenge: 'ABCDEFGH', reason: 'Ticket 12' });
    const issuedAt = t.clock.now();
    t.clock.advance(5 * 60_000);
    const usedAt = t.clock.now();
    t.clock.advance(2 * 60 * 60_000);
    // Signed-in staff sessions lapse over two idle hours.
    admin = await t.adminToken();
    helpdesk = await t.adminToken('helen', 'helen-password-1');
    const report = (challenge: string) =>
      t.api(guard.clientToken)(routes.reportOfflineUnlock, {
        body: { osUser: 'CORP\\alice', challenge, challengeIssuedAt: issuedAt, usedAt, keyVersion: 1 },
      });
    const { sessionId } = await report('ABCD-EFGH');
    const repeated = await report('ABCDEFGH');
    expect(repeated.sessionId).toBe(sessionId);

    const sessions = await t.api(helpdesk)(routes.listSessions, {});
    expect(sessions.find((s) => s.sessionId === sessionId)).toMatchObject({
      via: 'offline',
      osUser: 'CORP\\alice',
      userName: 'CORP\\alice (offline unlock)',
      startedAt: usedAt,
      endedAt: null,
    });

    const used = await audit('offline_unlock.used');
    expect(used).toHaveLength(1);
    expect(used[0]).toMatchObject({ actor: 'helen', clientId: guard.clientId, osUser: 'CORP\\alice' });

    // A code nobody asked this server for (a leaked key?) is recorded for review, not hidden.
    expect(await report('ZZZZ-ZZZZ')).toMatchObject({ sessionId: expect.any(String) });
    expect(await audit('offline_unlock.unmatched')).toHaveLength(1);

    const list = await t.api(helpdesk)(routes.listOfflineUnlocks, {});
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

  it('follows the allowOfflineUnlock setting in the policy and refuses responses and reports when it is off', async () => {
    const c = await enroll();
    const guard = await enroll('PC-OFF-01', 'guard');
    await t.updateSettings(admin, { allowOfflineUnlock: false });
    expect((await policy(c.clientToken)).allowOfflineUnlock).toBe(false);
    await expect(respond(helpdesk, c.clientId, { osUser: 'alice', challenge: 'ABCDEFGH' })).rejects.toMatchObject({
      status: 409,
      code: 'offline_unlock_disabled',
    });
    const report = { osUser: 'alice', challenge: 'ABCDEFGH', challengeIssuedAt: t.clock.now(), usedAt: t.clock.now(), keyVersion: 1 };
    await expect(t.api(guard.clientToken)(routes.reportOfflineUnlock, { body: report })).rejects.toMatchObject({
      status: 409,
      code: 'offline_unlock_disabled',
    });
  });
});
