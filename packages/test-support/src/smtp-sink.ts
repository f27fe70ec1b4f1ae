import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  raw: string;
}

/** Messages received, and when the first and the last arrived (performance.now()). */
export interface SmtpStats {
  received: number;
  firstAt: number;
  lastAt: number;
}

/** A real SMTP server on a free loopback port that keeps what it receives. */
export interface SmtpSink {
  url: string;
  port: number;
  /** Every message, parsed; stays empty with `codesOnly`. */
  mails: ReceivedMail[];
  stats: SmtpStats;
  waitFor(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** The oldest code mailed to `to` that nobody took yet, waiting for one if none has come. */
  nextCode(to: string, timeoutMs?: number): Promise<string>;
  resetStats(): void;
  /** While down, every message is refused with a temporary error. */
  setDown(down: boolean): void;
  /** Delay before answering each message. */
  setDelay(ms: number): void;
  stop(): Promise<void>;
}

export interface SmtpSinkOptions {
  port?: number;
  /**
   * Parse no MIME and keep no message: only each recipient's codes (read from the raw text) and the
   * counts, so the sink costs a shared CPU as little as possible (the benchmark).
   */
  codesOnly?: boolean;
}

/** The code line of a Latchkey mail's text part: four spaces, then the digits (the one place tests read it). */
export const OTP_CODE_LINE = /^ {4}(\d{6,10})\r?$/m;

export async function startSmtpSink(options: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const boxes = new Map<string, { codes: string[]; waiters: ((code: string) => void)[] }>();
  const box = (to: string) => {
    let b = boxes.get(to);
    if (!b) boxes.set(to, (b = { codes: [], waiters: [] }));
    return b;
  };
  const stats: SmtpStats = { received: 0, firstAt: 0, lastAt: 0 };
  let down = false;
  let delayMs = 0;

  const deliverCode = (raw: string, recipients: string[]): void => {
    const code = OTP_CODE_LINE.exec(raw)?.[1];
    if (!code) return;
    for (const rcpt of recipients) {
      const b = box(rcpt.toLowerCase());
      const waiter = b.waiters.shift();
      if (waiter) waiter(code);
      else b.codes.push(code);
    }
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const accept = () => {
          if (down) return callback(Object.assign(new Error('Service temporarily unavailable'), { responseCode: 421 }));
          const now = performance.now();
          stats.received++;
          if (!stats.firstAt) stats.firstAt = now;
          stats.lastAt = now;
          const recipients = session.envelope.rcptTo.map((r) => r.address);
          if (options.codesOnly) {
            deliverCode(Buffer.concat(chunks).toString('latin1'), recipients);
            return callback();
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          simpleParser(raw).then(
            (parsed: ParsedMail) => {
              const to = Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(', ') : (parsed.to?.text ?? '');
              mails.push({
                to,
                subject: parsed.subject ?? '',
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                raw,
              });
              deliverCode(parsed.text ?? '', recipients);
              for (const w of waiters) w();
              callback();
            },
            (err: Error) => callback(err),
          );
        };
        if (delayMs > 0) setTimeout(accept, delayMs);
        else accept();
      });
    },
  });
  // A sender killed mid-session (the kill -9 tests) resets its socket; that is not the sink's failure.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const actualPort = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${actualPort}`,
    port: actualPort,
    mails,
    stats,
    waitFor(predicate, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = mails.find(predicate);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching mail within ${timeoutMs} ms (received ${mails.length})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    nextCode(to, timeoutMs = 60_000) {
      const b = box(to.toLowerCase());
      const code = b.codes.shift();
      if (code !== undefined) return Promise.resolve(code);
      return new Promise((resolve, reject) => {
        const waiter = (received: string) => {
          clearTimeout(timer);
          resolve(received);
        };
        const timer = setTimeout(() => {
          b.waiters.splice(b.waiters.indexOf(waiter), 1);
          reject(new Error(`no mail for ${to} within ${timeoutMs} ms`));
        }, timeoutMs);
        b.waiters.push(waiter);
      });
    },
    resetStats() {
      stats.received = 0;
      stats.firstAt = 0;
      stats.lastAt = 0;
    },
    setDown: (value) => {
      down = value;
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The OTP in a mail's text: the indented line of digits. */
export function otpFromMail(mail: ReceivedMail): string {
  const match = OTP_CODE_LINE.exec(mail.text);
  if (!match?.[1]) throw new Error(`no code in mail "${mail.subject}"`);
  return match[1];
}
