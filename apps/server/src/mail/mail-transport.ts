import nodemailer from 'nodemailer';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { MailMessage } from './mail-message.js';

export interface MailTransport {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export interface TransportLogger {
  info(obj: object, msg: string): void;
}

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Opens the pool's TCP connections with Nagle's algorithm off. SMTP is request and answer: with
 * Nagle on, the short end-of-data line waits for the server's delayed ACK (about 40 ms), which held
 * each pooled connection near 20 messages a second (measured: 108/s for the pool, 1,270/s without).
 * TLS (smtps:// or STARTTLS) is still negotiated by nodemailer on top of this socket.
 */
function connectNoDelay(
  options: { host?: string | undefined; port?: number | undefined },
  callback: (err: Error | null, socketOptions?: { connection: Socket }) => void,
): void {
  const socket = connect({ host: options.host ?? 'localhost', port: options.port ?? 25, noDelay: true });
  const fail = (err: Error) => {
    socket.destroy();
    callback(err);
  };
  socket.setTimeout(CONNECT_TIMEOUT_MS, () => fail(new Error('SMTP connection timed out')));
  socket.once('error', fail);
  socket.once('connect', () => {
    socket.setTimeout(0);
    socket.off('error', fail);
    callback(null, { connection: socket });
  });
}

/** SMTP through a pool of connections; smtps:// is TLS from the start, smtp:// upgrades with STARTTLS when offered. */
export function createSmtpTransport(url: URL, from: string, options: { ca?: string | undefined } = {}): MailTransport {
  const transporter = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 25,
    secure: url.protocol === 'smtps:',
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    pool: true,
    maxConnections: 5,
    maxMessages: 500,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    getSocket: connectNoDelay,
    ...(options.ca ? { tls: { ca: options.ca } } : {}),
  });
  return {
    async send(message) {
      await transporter.sendMail({ from, ...message });
    },
    close: () => transporter.close(),
  };
}

/** Without an SMTP server: each message becomes an .eml file in the outbox, and a log line without its body. */
export function createOutboxTransport(dir: string, from: string, logger: TransportLogger): MailTransport {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(message) {
      const info = await transporter.sendMail({ from, ...message });
      const file = join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`);
      writeFileSync(file, info.message as Buffer, { mode: 0o600 });
      logger.info({ to: message.to, file }, 'mail written to the outbox');
    },
    close: () => transporter.close(),
  };
}
