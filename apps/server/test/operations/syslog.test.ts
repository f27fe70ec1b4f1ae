import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { escapeParamValue, formatAuditEvent } from '../../src/syslog/rfc5424.js';
import { routes } from '@latchkey/contracts';
import { ADMIN_PASSWORD, ENROLLMENT_KEY, buildTestApp, type TestApp } from '../helper.js';
import { otpFromMail, selfSignedCertificate, testNonce } from '@latchkey/test-support';

/** RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID [SD] MSG */
const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\[.*?[^\\]\]) \ufeff(.*)$/s;

interface Receiver {
  url: string;
  messages: string[];
  waitFor(predicate: (m: string) => boolean, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

function receiver(url: string, messages: string[], close: () => Promise<void>): Receiver {
  return {
    url,
    messages,
    async waitFor(predicate, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no syslog message matched; got:\n${messages.join('\n')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close,
  };
}

/** Octet-counted frames (RFC 6587 3.4.1) from a byte stream. */
function frames(socket: Socket, messages: string[]): void {
  let buffer = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const space = buffer.indexOf(0x20);
      if (space < 0) return;
      const length = Number(buffer.subarray(0, space).toString());
      if (buffer.length < space + 1 + length) return;
      messages.push(buffer.subarray(space + 1, space + 1 + length).toString('utf8'));
      buffer = buffer.subarray(space + 1 + length);
    }
  });
}

async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function udpReceiver(): Promise<Receiver> {
  const socket = createSocket('udp4');
  const messages: string[] = [];
  socket.on('message', (m) => messages.push(m.toString('utf8')));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return receiver(`udp://127.0.0.1:${socket.address().port}`, messages, () => new Promise((r) => socket.close(() => r())));
}

async function streamReceiver(
  make: () => Server,
  scheme: 'tcp' | 'tls',
): Promise<Receiver & { restart(): Promise<void>; stop(): Promise<void> }> {
  const messages: string[] = [];
  const sockets = new Set<Socket>();
  let server = make();
  const attach = (s: Server) =>
    s.on(scheme === 'tls' ? 'secureConnection' : 'connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      frames(socket, messages);
    });
  attach(server);
  const port = await listen(server);
  const stop = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((r) => server.close(r));
  };
  return {
    ...receiver(`${scheme}://127.0.0.1:${port}`, messages, stop),
    stop,
    async restart() {
      server = make();
      attach(server);
      await listen(server, port);
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'latchkey-syslog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Things that happen at a logon, each leaving audit events; returns the secrets involved. */
async function logonStory(t: TestApp): Promise<string[]> {
  const admin = await t.adminToken();
  const { clientId, clientToken } = await t.enroll('PC-SIEM');
  const sam = { osUser: 'CORP\\sam', email: 'sam@corp.example.com' };
  await t.api(admin)(routes.generateOtp, { body: { clientId, ...sam } });
  const otp = otpFromMail(await t.smtp.waitFor((m) => m.to.includes('sam@')));
  const verify = (code: string) => t.api(clientToken)(routes.verifyOtp, { body: { ...sam, otp: code, nonce: testNonce() } });
  await expect(verify(otp === '00000000' ? '11111111' : '00000000')).rejects.toMatchObject({ status: 401 });
  await verify(otp);
  return [otp, admin, clientToken, ADMIN_PASSWORD, ENROLLMENT_KEY];
}

function expectWellFormed(message: string): RegExpExecArray {
  const m = RFC5424.exec(message);
  expect(m, message).not.toBeNull();
  expect(Number(m![1]) >> 3).toBe(10); // authpriv
  expect(new Date(m![2]!).toISOString()).toBe(m![2]);
  expect(m![4]).toBe('latchkey');
  return m!;
}

describe('audit events to syslog (LATCHKEY_SYSLOG_URL)', () => {
  it('formats RFC 5424 with structured data and escapes what the grammar reserves', () => {
    const line = formatAuditEvent(
      {
        id: 7,
        at: Date.UTC(2026, 0, 5, 9, 0, 0),
        type: 'otp.verify_failed',
        actor: null,
        clientId: 'c1',
        computerName: 'PC "]\\',
        osUser: 'CORP\\al ice',
        email: 'a@b.example',
        requestId: null,
        detail: 'wrong code\nsecond line',
      },
      { hostname: 'srv 1', procId: 42 },
    );
    expect(line).toBe(
      '<84>1 2026-01-05T09:00:00.000Z srv_1 latchkey 42 otp.verify_failed [latchkey@32473 id="7" type="otp.verify_failed" clientId="c1" computerName="PC \\"\\]\\\\" osUser="CORP\\\\al ice" email="a@b.example"] \ufeffotp.verify_failed: wrong code second line',
    );
    expect(escapeParamValue('a]b"c\\d')).toBe('a\\]b\\"c\\\\d');
  });

  it.each(['udp', 'tcp'] as const)('sends every audit event over %s to a real receiver, and no secret', async (scheme) => {
    const rx = scheme === 'udp' ? await udpReceiver() : await streamReceiver(() => createNetServer(), 'tcp');
    const t = await buildTestApp({ env: { LATCHKEY_SYSLOG_URL: rx.url } });
    try {
      const secrets = await logonStory(t);
      const verified = await rx.waitFor((m) => m.includes(' otp.verified ['));
      const m = expectWellFormed(verified);
      expect(m[7]).toContain('osUser="CORP\\\\sam"');
      expect(m[7]).toContain('email="sam@corp.example.com"');
      expect(Number(m[1]) & 7).toBe(5);
      const failed = expectWellFormed(await rx.waitFor((x) => x.includes(' otp.verify_failed [')));
      expect(Number(failed[1]) & 7).toBe(4);
      await rx.waitFor((x) => x.includes(' admin.login ['));
      await rx.waitFor((x) => x.includes(' otp.generated ['));
      // Every audit row went out once, in order.
      const rows = await t.api(await t.adminToken())(routes.listAudit, { query: { limit: '100' } });
      await rx.waitFor(() => rx.messages.length >= rows.length);
      expect(rx.messages).toHaveLength(rows.length);
      const ids = rx.messages.map((x) => Number(/ id="(\d+)"/.exec(x)![1]));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      for (const message of rx.messages) for (const secret of secrets) expect(message).not.toContain(secret);
    } finally {
      await t.destroy();
      await rx.close();
    }
  });

  it.each(['udp', 'tcp'] as const)(
    'sends over %s what a new node records while it starts: the first admin (user.created)',
    async (scheme) => {
      const rx = scheme === 'udp' ? await udpReceiver() : await streamReceiver(() => createNetServer(), 'tcp');
      const metricsToken = 'metrics-token-for-syslog-test-0';
      const t = await buildTestApp({ env: { LATCHKEY_SYSLOG_URL: rx.url, LATCHKEY_METRICS_TOKEN: metricsToken } });
      try {
        const created = expectWellFormed(await rx.waitFor((m) => m.includes(' user.created [')));
        expect(created[8]).toContain('first start: admin');
        // Once: a second start of the same database sends it again to neither follower.
        const restarted = await t.restart();
        await restarted.adminToken();
        await rx.waitFor((m) => m.includes(' admin.login ['));
        expect(rx.messages.filter((m) => m.includes(' user.created ['))).toHaveLength(1);
        const scrape = await restarted.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${metricsToken}` } });
        expect(scrape.body).not.toContain('type="user.created"');
        await restarted.destroy();
      } finally {
        await rx.close();
      }
    },
  );

  it('sends over TLS, verifying the receiver against LATCHKEY_SYSLOG_CA_FILE', async () => {
    const { certFile, cert, key } = selfSignedCertificate(dir, 'siem');
    const rx = await streamReceiver(() => createTlsServer({ key, cert }), 'tls');
    const t = await buildTestApp({ env: { LATCHKEY_SYSLOG_URL: rx.url, LATCHKEY_SYSLOG_CA_FILE: certFile } });
    try {
      const secrets = await logonStory(t);
      expectWellFormed(await rx.waitFor((m) => m.includes(' otp.verified [')));
      for (const message of rx.messages) for (const secret of secrets) expect(message).not.toContain(secret);
    } finally {
      await t.destroy();
      await rx.close();
    }
  });

  it('never holds up a request while the TCP receiver is down, and delivers the queued events when it is back', async () => {
    const rx = await streamReceiver(() => createNetServer(), 'tcp');
    const t = await buildTestApp({ env: { LATCHKEY_SYSLOG_URL: rx.url } });
    try {
      await t.adminToken();
      await rx.waitFor((m) => m.includes(' admin.login ['));
      await rx.stop();

      const started = performance.now();
      const { clientId } = await t.enroll('PC-WHILE-DOWN');
      expect(performance.now() - started).toBeLessThan(2000);
      await new Promise((r) => setTimeout(r, 300));
      expect(rx.messages.some((m) => m.includes(clientId))).toBe(false);

      await rx.restart();
      const enrolled = await rx.waitFor((m) => m.includes(' client.enrolled [') && m.includes(clientId), 15_000);
      expectWellFormed(enrolled);
    } finally {
      await t.destroy();
      await rx.close().catch(() => undefined);
    }
  }, 30_000);

  it('refuses a URL of another scheme or without a port, naming the variable', async () => {
    const { loadConfig } = await import('../../src/config.js');
    for (const url of ['http://siem:514', 'udp://siem', 'tcp://siem:514/path', 'not a url']) {
      expect(() => loadConfig({ LATCHKEY_SYSLOG_URL: url })).toThrow(/^LATCHKEY_SYSLOG_URL: must be udp:\/\/host:port/);
    }
    expect(loadConfig({ LATCHKEY_SYSLOG_URL: 'tls://siem.example.com:6514' }).syslog).toEqual({
      protocol: 'tls',
      host: 'siem.example.com',
      port: 6514,
    });
  });
});
