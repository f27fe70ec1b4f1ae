import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpTransport } from '../../src/mail/mail-transport.js';
import { loadConfig } from '../../src/config.js';

let dir: string;
let cert: string;
let key: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'latchkey-tls-'));
  // A throwaway self-signed certificate for 127.0.0.1, as an internal CA would issue.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  key = readFileSync(join(dir, 'key.pem'), 'utf8');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tlsSmtpServer(secure: boolean) {
  const received: { secure: boolean; raw: string }[] = [];
  const server = new SMTPServer({
    secure,
    key,
    cert,
    authOptional: true,
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString()));
      stream.on('end', () => {
        received.push({ secure: session.secure, raw });
        callback();
      });
    },
  });
  // A client that refuses our certificate hangs up mid-handshake; that is the expected outcome here.
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, stop: () => new Promise<void>((r) => server.close(() => r())) };
}

const message = { to: 'ann@corp.example.com', subject: 'hello', text: 'body', html: '<p>body</p>' };

describe('SMTP over TLS', () => {
  it('sends over smtps:// to a server whose certificate is signed by LATCHKEY_SMTP_CA_FILE', async () => {
    const smtp = await tlsSmtpServer(true);
    writeFileSync(join(dir, 'ca.pem'), cert);
    const config = loadConfig({ LATCHKEY_SMTP_URL: `smtps://127.0.0.1:${smtp.port}`, LATCHKEY_SMTP_CA_FILE: join(dir, 'ca.pem') });
    const transport = createSmtpTransport(config.smtpUrl!, config.mailFrom, { ca: config.smtpCa });
    try {
      await transport.send(message);
      expect(smtp.received).toHaveLength(1);
      expect(smtp.received[0]!.secure).toBe(true);
    } finally {
      transport.close();
      await smtp.stop();
    }
  });

  it('upgrades smtp:// with STARTTLS when the server offers it', async () => {
    const smtp = await tlsSmtpServer(false);
    const transport = createSmtpTransport(new URL(`smtp://127.0.0.1:${smtp.port}`), 'Latchkey <latchkey@localhost>', { ca: cert });
    try {
      await transport.send(message);
      expect(smtp.received[0]!.secure).toBe(true);
    } finally {
      transport.close();
      await smtp.stop();
    }
  });

  it('refuses a server whose certificate it cannot verify', async () => {
    const smtp = await tlsSmtpServer(true);
    const transport = createSmtpTransport(new URL(`smtps://127.0.0.1:${smtp.port}`), 'Latchkey <latchkey@localhost>');
    try {
      await expect(transport.send(message)).rejects.toThrow();
      expect(smtp.received).toHaveLength(0);
    } finally {
      transport.close();
      await smtp.stop();
    }
  });

  it('stops at start when LATCHKEY_SMTP_CA_FILE cannot be read', () => {
    expect(() => loadConfig({ LATCHKEY_SMTP_CA_FILE: join(dir, 'missing.pem') })).toThrow(/^LATCHKEY_SMTP_CA_FILE: /);
  });
});
