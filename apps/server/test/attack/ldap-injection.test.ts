import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes, type EnrollResult } from '@latchkey/contracts';
import { startSlapd, type Slapd, slapdEnv } from '@latchkey/test-support';
import { useServerProcess } from '@latchkey/test-support/vitest';

/** osUser values that would widen or rewrite an unescaped `(uid={user})` filter. */
const FILTER_INJECTION = [
  'CORP\\*',
  '*',
  'a*',
  '*nn',
  'ann)(uid=*',
  'CORP\\ann)(|(uid=*',
  '*)(uid=*))(|(uid=*',
  'x)(|(mail=*)',
  'ann)(objectClass=*',
  '(uid=bob)',
  '\\2a',
  'CORP\\\\2a',
  'ann\\00',
  'ann\u0000',
  'b*b',
];

describe('LDAP filter injection through the directory method (real slapd)', () => {
  let slapd: Slapd;
  beforeAll(async () => {
    slapd = await startSlapd({
      users: [
        { uid: 'ann', mail: 'ann@corp.example.com' },
        { uid: 'bob', mail: 'bob@corp.example.com' },
      ],
    });
  });
  afterAll(async () => slapd?.stop());
  const server = useServerProcess({
    smtp: true,
    env: () => ({ ...slapdEnv(slapd), LATCHKEY_LDAP_USER_FILTER: '(uid={user})', LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE: '1000' }),
  });
  let client: EnrollResult;
  beforeAll(async () => {
    const admin = await server.login();
    await server.api(admin)(routes.putSettings, { body: { autoSendToDirectoryUsers: true, otpRequestIntervalMinutes: 0 } });
    client = await server.enroll('PC-LDAP');
  });

  it('never resolves an injected osUser to someone else, and answers each with a clean 4xx', async () => {
    for (const osUser of FILTER_INJECTION) {
      // Raw (`send`): some of these the schema refuses, and the typed call would refuse them before sending.
      const res = await server.send(routes.createOtpRequest, { token: client.clientToken, body: { osUser, method: 'directory' } });
      expect([400, 404], `${JSON.stringify(osUser)}: ${res.text}`).toContain(res.status);
      expect(res.text).not.toMatch(/ldap|filter|uid=|dc=/i);
    }
    // The control: the real name resolves, and only its own address gets mail.
    const ann = await server.api(client.clientToken)(routes.createOtpRequest, { body: { osUser: 'CORP\\ann', method: 'directory' } });
    expect(ann.email).toBe('ann@corp.example.com');
    const { smtp } = server;
    await smtp.waitFor((m) => m.to.includes('ann@'));
    await new Promise((r) => setTimeout(r, 500));
    expect(smtp.mails.map((m) => m.to)).toEqual(['ann@corp.example.com']);
    // slapd saw the metacharacters escaped (RFC 4515), never as filter syntax.
    const searches = slapd
      .log()
      .split('\n')
      .filter((line) => / SRCH .*filter=/.test(line));
    expect(searches.length).toBeGreaterThan(0);
    for (const line of searches) {
      const filter = /filter="([^"]*)"/.exec(line)![1]!;
      // One equality test; every (, ), * and \ of the input arrives as a \XX escape.
      expect(filter).toMatch(/^\(uid=(?:[^()*\\]|\\[0-9A-Fa-f]{2})*\)$/);
    }
  });
});
