import { createPublicKey, randomBytes, verify as ed25519Verify } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { base64UrlDecode, routes, verdictMessage, type LockDecisionBody, type SettingsPatch } from '@latchkey/contracts';
import { useTestApp } from '../helper.js';

/**
 * Who must unlock, and when (issue 21): POST /api/v1/client/lock-decision over HTTP. Every account
 * form and case, both logon kinds, the Client's OTP switch; a "no lock" answer is signed like an
 * unlock verdict, audited as session.exempt and listed in Client Sessions as exempt.
 */
const t = useTestApp();
let admin: string;
beforeEach(async () => {
  admin = await t.adminToken();
});

const COMPUTER = 'PC-0042';
const nonce = () => randomBytes(24).toString('base64url');

async function enrolled(settings: SettingsPatch = {}) {
  if (Object.keys(settings).length > 0) await t.updateSettings(admin, settings);
  const { clientId, clientToken, serverPublicKey } = await t.enroll(COMPUTER);
  const decide = (body: Partial<LockDecisionBody> & { osUser: string }) =>
    t.api(clientToken)(routes.lockDecision, { body: { logonKind: 'local', nonce: nonce(), ...body } });
  return { clientId, clientToken, serverPublicKey, decide };
}

function verifiesWith(publicKey: string, message: Uint8Array, signature: string): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  return ed25519Verify(null, message, key, base64UrlDecode(signature));
}

describe('exempt accounts', () => {
  const EXEMPT = ['CORP\\svc-backup', 'kiosk', '.\\breakglass', 'Ärzte\\Jürgen'];

  it.each([
    ['DOMAIN\\name matches that domain', 'CORP\\svc-backup', true],
    ['… in any case', 'corp\\SVC-BACKUP', true],
    ['… but not another domain', 'OTHER\\svc-backup', false],
    ['… nor the bare name', 'svc-backup', false],
    ['… a UPN of that domain', 'svc-backup@corp.example.com', true],
    ['name matches any domain', 'SHOP\\kiosk', true],
    ['… a local account too', 'PC-0042\\Kiosk', true],
    ['… and the bare name', 'KIOSK', true],
    ['.\\name matches a local account of this computer (COMPUTERNAME\\name)', 'PC-0042\\breakglass', true],
    ['… in any case', 'pc-0042\\BreakGlass', true],
    ['… sent as .\\name', '.\\breakglass', true],
    ['… but not a domain account of that name', 'CORP\\breakglass', false],
    ['… nor a bare name (no domain known)', 'breakglass', false],
    ['names compare after NFC', 'A\u0308rzte\\Ju\u0308rgen', true],
    ['and case-insensitively beyond ASCII', 'ÄRZTE\\JÜRGEN', true],
    ['an account not listed is locked', 'CORP\\alice', false],
  ])('%s (%s)', async (_, osUser, exempt) => {
    const { decide } = await enrolled({ exemptAccounts: EXEMPT });
    const answer = await decide({ osUser });
    if (exempt) expect(answer).toMatchObject({ lock: false, reason: 'exempt_account' });
    else expect(answer).toEqual({ lock: true, reason: 'required' });
  });

  it('.\\name is a local account of THIS computer only', async () => {
    await t.updateSettings(admin, { exemptAccounts: ['.\\breakglass'] });
    const other = await t.enroll('PC-0043');
    const answer = await t.api(other.clientToken)(routes.lockDecision, {
      body: { osUser: 'PC-0042\\breakglass', logonKind: 'local', nonce: nonce() },
    });
    expect(answer).toEqual({ lock: true, reason: 'required' });
  });
});

describe('a "no lock" answer', () => {
  it('carries a verdict signed like an unlock verdict, verifiable with the server key, over this nonce', async () => {
    const { clientId, serverPublicKey, decide } = await enrolled({ exemptAccounts: ['.\\breakglass'] });
    const n = nonce();
    const osUser = 'PC-0042\\breakglass';
    const answer = await decide({ osUser, nonce: n });
    expect(answer.lock).toBe(false);
    const { sessionId, verdict } = answer;
    expect(sessionId).toBeDefined();
    expect(verdict!.time).toBe(t.clock.now());
    const fields = { clientId, osUser, nonce: n, sessionId: sessionId!, time: verdict!.time };
    expect(verifiesWith(serverPublicKey, verdictMessage(fields), verdict!.signature)).toBe(true);
    // Bound to every field: another nonce, user or session does not verify.
    expect(verifiesWith(serverPublicKey, verdictMessage({ ...fields, nonce: nonce() }), verdict!.signature)).toBe(false);
    expect(verifiesWith(serverPublicKey, verdictMessage({ ...fields, osUser: 'PC-0042\\alice' }), verdict!.signature)).toBe(false);
    expect(verifiesWith(serverPublicKey, verdictMessage({ ...fields, sessionId: 'x'.repeat(22) }), verdict!.signature)).toBe(false);
  });

  it('is audited as session.exempt, naming the rule, and listed in Client Sessions as exempt', async () => {
    const { clientId, decide } = await enrolled({ exemptAccounts: ['CORP\\svc-backup'] });
    const { sessionId } = await decide({ osUser: 'CORP\\svc-backup', logonKind: 'remote' });

    const [event] = await t.api(admin)(routes.listAudit, { query: { type: 'session.exempt' } });
    expect(event).toMatchObject({ type: 'session.exempt', clientId, computerName: COMPUTER, osUser: 'CORP\\svc-backup' });
    expect(event!.detail).toContain(`session ${sessionId}`);
    expect(event!.detail).toContain('remote logon');
    expect(event!.detail).toContain('exempt account "CORP\\svc-backup"');

    const listed = (await t.api(admin)(routes.listSessions, {})).find((s) => s.sessionId === sessionId);
    expect(listed).toMatchObject({ clientId, osUser: 'CORP\\svc-backup', via: 'exempt', exempt: 'exempt_account', endedAt: null });
    expect(listed!.userName).toBe('CORP\\svc-backup (exempt, no one-time password)');
  });

  it('a locked answer opens no session, signs nothing and writes no exempt audit', async () => {
    const { decide } = await enrolled();
    expect(await decide({ osUser: 'CORP\\alice' })).toEqual({ lock: true, reason: 'required' });
    expect(await t.api(admin)(routes.listSessions, {})).toHaveLength(0);
    expect(await t.api(admin)(routes.listAudit, { query: { type: 'session.exempt' } })).toHaveLength(0);
  });
});

describe('logon kinds and the OTP switch', () => {
  it('with only remote logons locked, a console logon is not locked and an RDP logon is', async () => {
    const { decide } = await enrolled({ lockLocalLogons: false });
    expect(await decide({ osUser: 'CORP\\alice', logonKind: 'local' })).toMatchObject({ lock: false, reason: 'logon_kind' });
    expect(await decide({ osUser: 'CORP\\alice', logonKind: 'remote' })).toEqual({ lock: true, reason: 'required' });
  });

  it('with only local logons locked, an RDP logon is not locked', async () => {
    const { decide } = await enrolled({ lockRemoteLogons: false });
    expect(await decide({ osUser: 'CORP\\alice', logonKind: 'remote' })).toMatchObject({ lock: false, reason: 'logon_kind' });
    expect(await decide({ osUser: 'CORP\\alice', logonKind: 'local' })).toEqual({ lock: true, reason: 'required' });
  });

  it('both logon kinds off is refused, with a message that says why', async () => {
    await t.updateSettings(admin, { lockLocalLogons: false });
    await expect(t.api(admin)(routes.putSettings, { body: { lockRemoteLogons: false } })).rejects.toMatchObject({
      status: 400,
      code: 'invalid_request',
      message: expect.stringContaining('cannot both be off'),
    });
    await expect(t.api(admin)(routes.putSettings, { body: { lockLocalLogons: false, lockRemoteLogons: false } })).rejects.toMatchObject({
      status: 400,
    });
    expect(await t.api(admin)(routes.getSettings, {})).toMatchObject({ lockLocalLogons: false, lockRemoteLogons: true });
  });

  it('a computer whose "Allow the use of one-time passwords" is off is not locked (otp_disabled)', async () => {
    const { clientId, decide } = await enrolled();
    await t.api(admin)(routes.patchClient, { params: { clientId }, body: { allowOneTimePasswords: false } });
    expect(await decide({ osUser: 'CORP\\alice' })).toMatchObject({ lock: false, reason: 'otp_disabled' });
  });

  it('settings changes are audited in words', async () => {
    await t.updateSettings(admin, { lockLocalLogons: false, exemptAccounts: ['.\\breakglass', 'kiosk'], helpdeskContact: 'IT: 1234' });
    await t.updateSettings(admin, { exemptAccounts: ['kiosk', 'CORP\\svc'] });
    const [second, first] = await t.api(admin)(routes.listAudit, { query: { type: 'settings.changed' } });
    expect(first!.detail).toBe(
      'Lock local logons: on → off; Exempt accounts: added ".\\\\breakglass", "kiosk"; Helpdesk contact: (empty) → "IT: 1234"',
    );
    expect(second!.detail).toBe('Exempt accounts: added "CORP\\\\svc"; removed ".\\\\breakglass"');
  });
});
