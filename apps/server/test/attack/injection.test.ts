import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '@latchkey/contracts';
import { ENROLLMENT_KEY, testNonce, type HttpAnswer } from '@latchkey/test-support';
import { useServerProcess } from '@latchkey/test-support/vitest';

/** RFC 4515 metacharacters and classic filter-widening strings. */
const LDAP_INJECTION = [
  '*',
  '*)(uid=*))(|(uid=*',
  'admin)(|(objectClass=*)',
  '*)(sAMAccountName=*',
  '(&(objectClass=user))',
  'CORP\\ann)(mail=*',
  '\\2a',
  'ann\\00',
];

/** Header splitting, extra recipients and SMTP command smuggling. */
const SMTP_INJECTION = [
  'ann@corp.example.com\r\nBcc: evil@evil.example',
  'ann@corp.example.com\nBcc: evil@evil.example',
  'ann@corp.example.com%0d%0aBcc:evil@evil.example',
  'evil@evil.example, ann@corp.example.com',
  '"x\r\nBcc: evil@evil.example" <ann@corp.example.com>',
  'ann@corp.example.com>\r\nRCPT TO:<evil@evil.example>',
  'Subject: injected\r\n\r\n.\r\nMAIL FROM:<evil@evil.example>',
  'ann@corp.example.com\u2028Bcc: evil@evil.example',
];

const PAYLOADS = [...LDAP_INJECTION, ...SMTP_INJECTION];

describe('injection strings in every string field', () => {
  const server = useServerProcess({
    smtp: true,
    env: { LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE: '10000', LATCHKEY_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '10000' },
  });
  let admin: string;
  const answers: { field: string; payload: string; res: HttpAnswer }[] = [];
  beforeAll(async () => {
    admin = await server.login();
    // Requests and generated OTPs for one Client interleave here; the hourly interval would answer 429.
    await server.api(admin)(routes.putSettings, { body: { otpRequestIntervalMinutes: 0 } });
  });

  const record = (field: string, payload: string, res: HttpAnswer) => {
    answers.push({ field, payload, res });
    return res;
  };

  // Sent raw (`send`): the injected strings are what the schema refuses, and the typed call would refuse them before sending.
  it('never answers 500 nor echoes a library message, and mails go only to the address given', async () => {
    const { smtp } = server;
    const { clientId, clientToken } = await server.enroll('PC-INJECT');
    for (const [n, p] of PAYLOADS.entries()) {
      // A Client may have 5 requests waiting: each payload's 3 emergency requests come from a Client of their own.
      const { clientToken: requester } = await server.enroll(`PC-INJECT-${n}`);
      const osUser = `CORP\\user${n}`;
      // email
      record(
        'email (emergency request)',
        p,
        await server.send(routes.createOtpRequest, { token: requester, body: { osUser, method: 'emergency', email: p } }),
      );
      record(
        'email (verify)',
        p,
        await server.send(routes.verifyOtp, {
          token: clientToken,
          body: { osUser, email: p, otp: '12345678', nonce: testNonce() },
        }),
      );
      record('email (generate)', p, await server.send(routes.generateOtp, { token: admin, body: { clientId, osUser, email: p } }));
      record(
        'email (create user)',
        p,
        await server.send(routes.createUser, {
          token: admin,
          body: { login: `u${n}`, password: 'password-12345', email: p, role: 'user' },
        }),
      );
      // osUser
      record(
        'osUser (emergency request)',
        p,
        await server.send(routes.createOtpRequest, {
          token: requester,
          body: { osUser: p, method: 'emergency', email: `req${n}@corp.example.com` },
        }),
      );
      record(
        'osUser (verify)',
        p,
        await server.send(routes.verifyOtp, {
          token: clientToken,
          body: { osUser: p, email: 'ann@corp.example.com', otp: '12345678', nonce: testNonce() },
        }),
      );
      record(
        'osUser (generate)',
        p,
        await server.send(routes.generateOtp, { token: admin, body: { clientId, osUser: p, email: `gen${n}@corp.example.com` } }),
      );
      // reason and comment (free text, mailed to staff and requesters)
      record(
        'reason (emergency request)',
        p,
        await server.send(routes.createOtpRequest, {
          token: requester,
          body: { osUser: `CORP\\why${n}`, method: 'emergency', email: `why${n}@corp.example.com`, reason: p },
        }),
      );
      record(
        'comment (generate)',
        p,
        await server.send(routes.generateOtp, {
          token: admin,
          body: { clientId, osUser: `CORP\\c${n}`, email: `comment${n}@corp.example.com`, comment: p },
        }),
      );
      // login
      record(
        'login (internal method)',
        p,
        await server.send(routes.createOtpRequest, {
          token: clientToken,
          body: { osUser, method: 'internal', login: p, password: 'x' },
        }),
      );
      record('login (admin sign-in)', p, await server.send(routes.adminLogin, { body: { login: p, password: 'x' } }));
      record(
        'login (create user)',
        p,
        await server.send(routes.createUser, {
          token: admin,
          body: { login: p, password: 'password-12345', email: 'x@corp.example.com', role: 'user' },
        }),
      );
      // computer name (appears in mail subjects)
      const enrolled = record(
        'computerName (enroll)',
        p,
        await server.send(routes.enroll, { body: { enrollmentKey: ENROLLMENT_KEY, computerName: p } }),
      );
      if (enrolled.status === 201) {
        record(
          'computerName (generate mail subject)',
          p,
          await server.send(routes.generateOtp, {
            token: admin,
            body: { clientId: enrolled.json.clientId, osUser: 'CORP\\ann', email: `pc${n}@corp.example.com` },
          }),
        );
      }
    }

    for (const { field, payload, res } of answers) {
      const where = `${field} = ${JSON.stringify(payload)}`;
      expect([200, 201, 400, 401, 403, 409], where).toContain(res.status);
      expect(res.status === 200 && field.startsWith('email (verify)'), where).toBe(false);
      if (res.status >= 400) {
        expect(Object.keys(res.json), where).toEqual(['error']);
        expect(res.text, where).not.toMatch(/SQLITE|at .*\.js:|must match pattern|ldap/i);
      }
    }
    // A field that is mailed or matched must never accept CR or LF: those were refused outright.
    for (const { field, payload, res } of answers) {
      if (/[\r\n]/.test(payload) && !field.startsWith('reason') && !field.startsWith('comment')) {
        expect([400, 401], `${field} = ${JSON.stringify(payload)}`).toContain(res.status);
      }
    }
    // Every injected email address was refused by the schema, so nothing was ever addressed to it.
    for (const { field, payload, res } of answers) {
      if (field.startsWith('email')) expect(res.status, `${field} = ${JSON.stringify(payload)}`).toBe(400);
    }

    // Drain the queue, then look at what the SMTP server received.
    const deadline = Date.now() + 15_000;
    let last = -1;
    while (smtp.mails.length !== last && Date.now() < deadline) {
      last = smtp.mails.length;
      await new Promise((r) => setTimeout(r, 750));
    }
    expect(smtp.mails.length).toBeGreaterThan(0);
    for (const mail of smtp.mails) {
      // Injected text may appear inside a (folded) Subject as words; it must never start a header of its own.
      const headerBlock = mail.raw.split(/\r?\n\r?\n/)[0]!;
      const names = headerBlock
        .split(/\r?\n/)
        .filter((line) => !/^[ \t]/.test(line))
        .map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
      expect(
        names.filter(
          (n) => !['from', 'to', 'subject', 'message-id', 'date', 'mime-version', 'content-type', 'content-transfer-encoding'].includes(n),
        ),
        headerBlock,
      ).toEqual([]);
      expect(names.filter((n) => n === 'to' || n === 'subject')).toHaveLength(2);
      expect(mail.to).toMatch(/^[a-z0-9.]+@corp\.example\.com$/);
    }
  });
});
