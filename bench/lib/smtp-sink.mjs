// A real SMTP server on loopback that hands each received OTP to whoever waits for that recipient.
// It reads the code from the raw message (the indented digits line of the text part) instead of
// parsing MIME, so the sink costs the shared CPU as little as possible.
import { SMTPServer } from 'smtp-server';
import { performance } from 'node:perf_hooks';

const CODE_LINE = /^ {4}(\d{6,10})\r?$/m;

export async function startSmtpSink() {
  const boxes = new Map();
  const box = (to) => {
    let b = boxes.get(to);
    if (!b) boxes.set(to, (b = { codes: [], waiters: [] }));
    return b;
  };
  const stats = { received: 0, firstAt: 0, lastAt: 0 };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 1024 * 1024,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('latin1');
        const code = CODE_LINE.exec(raw)?.[1];
        const now = performance.now();
        stats.received++;
        if (!stats.firstAt) stats.firstAt = now;
        stats.lastAt = now;
        if (code) {
          for (const rcpt of session.envelope.rcptTo) {
            const b = box(rcpt.address.toLowerCase());
            const waiter = b.waiters.shift();
            if (waiter) waiter(code);
            else b.codes.push(code);
          }
        }
        callback();
      });
    },
  });
  // A sender killed mid-session resets its socket; that is not the sink's failure.
  server.on('error', () => {});
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.server.address().port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    stats,
    /** The next code mailed to `to` (oldest first). */
    nextCode(to, timeoutMs = 60_000) {
      const b = box(to.toLowerCase());
      if (b.codes.length) return Promise.resolve(b.codes.shift());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no mail for ${to} within ${timeoutMs} ms`)), timeoutMs);
        b.waiters.push((code) => {
          clearTimeout(timer);
          resolve(code);
        });
      });
    },
    resetStats() {
      stats.received = 0;
      stats.firstAt = 0;
      stats.lastAt = 0;
    },
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}
