import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface SyslogTarget {
  protocol: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
  /** PEM CA for tls://; the system CAs when unset. */
  ca?: string;
}

export interface SyslogLogger {
  warn(obj: object, msg: string): void;
}

/** Held while the receiver is away; beyond it the oldest messages are dropped (and counted). */
const MAX_QUEUE = 10_000;
const MAX_DATAGRAM_BYTES = 8192;
const MAX_BACKOFF_MS = 30_000;

export type SyslogSender = ReturnType<typeof createSyslogSender>;

/**
 * A small RFC 5424 sender. `send` only queues, so the request path never waits for the network; UDP
 * sends each message as one datagram, TCP and TLS use octet-counting framing (RFC 6587 3.4.1, RFC 5425)
 * over one connection that is reopened with backoff when it drops.
 */
export function createSyslogSender(target: SyslogTarget, logger: SyslogLogger) {
  const queue: string[] = [];
  let dropped = 0;
  let closed = false;
  let udp: UdpSocket | undefined;
  let stream: Socket | undefined;
  let connected = false;
  let backoff = 500;
  let retryTimer: NodeJS.Timeout | undefined;
  let warnedDown = false;

  function pump(): void {
    if (target.protocol === 'udp') {
      udp ??= createSocket(target.host.includes(':') ? 'udp6' : 'udp4');
      for (let message = queue.shift(); message !== undefined; message = queue.shift()) {
        let bytes = Buffer.from(message, 'utf8');
        if (bytes.length > MAX_DATAGRAM_BYTES) bytes = bytes.subarray(0, MAX_DATAGRAM_BYTES);
        udp.send(bytes, target.port, target.host, (err) => {
          if (err && !warnedDown) {
            warnedDown = true;
            logger.warn({ reason: err.message }, 'syslog: datagram not sent');
          }
        });
      }
      return;
    }
    if (!connected) {
      connect();
      return;
    }
    for (let message = queue.shift(); message !== undefined; message = queue.shift()) {
      const bytes = Buffer.from(message, 'utf8');
      stream!.write(`${bytes.length} `);
      stream!.write(bytes);
    }
  }

  function connect(): void {
    if (stream || closed) return;
    const options = { host: target.host, port: target.port };
    const socket =
      target.protocol === 'tls'
        ? tlsConnect({
            ...options,
            servername: /^[\d.:]+$/.test(target.host) ? undefined : target.host,
            ...(target.ca ? { ca: target.ca } : {}),
          })
        : netConnect(options);
    stream = socket;
    socket.setKeepAlive(true, 30_000);
    socket.on(target.protocol === 'tls' ? 'secureConnect' : 'connect', () => {
      connected = true;
      backoff = 500;
      if (warnedDown) logger.warn({}, 'syslog: connected again');
      warnedDown = false;
      pump();
    });
    // A receiver sends nothing back; reading keeps the socket's state current.
    socket.on('data', () => {});
    socket.on('error', (err) => {
      if (!warnedDown) {
        warnedDown = true;
        logger.warn({ reason: err.message }, 'syslog: receiver unreachable, queueing audit events');
      }
    });
    socket.on('close', () => {
      stream = undefined;
      connected = false;
      if (closed) return;
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        connect();
      }, backoff);
      retryTimer.unref();
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    });
  }

  return {
    send(message: string): void {
      if (closed) return;
      if (queue.length >= MAX_QUEUE) {
        queue.shift();
        dropped++;
        if (dropped === 1 || dropped % 1000 === 0) logger.warn({ dropped }, 'syslog: queue full, oldest audit events dropped');
      }
      queue.push(message);
      if (queue.length === 1) setImmediate(pump);
    },
    /** Sends what is queued if the receiver is there (waiting at most `graceMs`), then stops. */
    async close(graceMs = 2000): Promise<void> {
      const deadline = Date.now() + graceMs;
      while (queue.length > 0 && Date.now() < deadline) {
        pump();
        if (queue.length === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      await new Promise<void>((resolve) => {
        if (!stream) return resolve();
        stream.end(() => resolve());
        setTimeout(resolve, 500).unref();
      });
      stream?.destroy();
      udp?.close();
    },
    pending: () => queue.length,
  };
}
