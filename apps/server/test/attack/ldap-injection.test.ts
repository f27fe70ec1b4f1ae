import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startServerProcess,
  startSlapd,
  startSmtpSink,
  type ServerProcess,
  type Slapd,
  type SmtpSink,
  slapdEnv,
} from '@latchkey/test-support';

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
  let smtp: SmtpSink;
  let server: ServerProcess;
  let client: { clientId: string; clientToken: string };
  beforeAll(async () => {
    slapd = await startSlapd({
      users: [
        { uid: 'ann', mail: 'ann@corp.example.com' },
        { uid: 'bob', mail: 'bob@corp.example.com' },
      ],
    });
    smtp = await startSmtpSink();
    server = await startServerProcess({
      smtpUrl: smtp.url,
      env: {
        ...slapdEnv(slapd),
        LATCHKEY_LDAP_USER_FILTER: '(uid={user})',
        LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE: '1000',
      },
    });
    const admin = await server.login();
    const settings = await server.call('PUT', '/api/v1/admin/settings', {
      token: admin,
      body: { autoSendToDirectoryUsers: true, otpRequestIntervalMinutes: 0 },
    });
    expect(settings.status).toBe(200);
    client = await server.enroll('PC-LDAP');
  });
  afterAll(async () => {
    await server?.destroy();
    await smtp?.stop();
    await slapd?.stop();
  });

  it('never resolves an injected osUser to someone else, and answers each with a clean 4xx', async () => {
    const request = (osUser: string) =>
      server.call('POST', '/api/v1/otp/requests', { token: client.clientToken, body: { osUser, method: 'directory' } });
    for (const osUser of FILTER_INJECTION) {
      const res = await request(osUser);
      expect([400, 404], `${JSON.stringify(osUser)}: ${res.text}`).toContain(res.status);
      expect(res.text).not.toMatch(/ldap|filter|uid=|dc=/i);
    }
    // The control: the real name resolves, and only its own address gets mail.
    const ann = await request('CORP\\ann');
    expect(ann.status).toBe(201);
    expect(ann.json.email).toBe('ann@corp.example.com');
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
