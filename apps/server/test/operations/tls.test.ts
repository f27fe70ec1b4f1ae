import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { connect, type TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { routes } from '@latchkey/contracts';
import { selfSignedCertificate } from '@latchkey/test-support';
import { useServerProcess } from '@latchkey/test-support/vitest';
import { loadConfig } from '../../src/config.js';
import type { ConfigError } from '../../src/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-tls-'));

const makeCertificate = (name: string) => selfSignedCertificate(dir, name);

/** What a fresh TLS handshake is served: the certificate's subject CN. */
function servedCommonName(port: number, ca: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({ host: '127.0.0.1', port, ca, servername: undefined }, () => {
      const subject = socket.getPeerX509Certificate()?.subject ?? '';
      socket.end();
      resolve(/CN=(.*)/.exec(subject)?.[1] ?? '');
    });
    socket.on('error', reject);
  });
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  reusedSocket: boolean;
  localPort: number;
}
/** A GET through node:https with this agent (the typed call is HTTP-only): trusted CAs, headers and socket reuse are what is read. */
function get(url: string, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body,
          reusedSocket: req.reusedSocket,
          localPort: req.socket!.localPort!,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('native HTTPS (LATCHKEY_TLS_CERT_FILE, LATCHKEY_TLS_KEY_FILE)', () => {
  const certFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  const one = makeCertificate('latchkey-one');
  const two = makeCertificate('latchkey-two');
  writeFileSync(certFile, one.cert);
  writeFileSync(keyFile, one.key, { mode: 0o600 });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const server = useServerProcess({
    tlsCa: one.cert,
    env: { LATCHKEY_TLS_CERT_FILE: certFile, LATCHKEY_TLS_KEY_FILE: keyFile, LATCHKEY_LOG_LEVEL: 'info' },
  });

  it('serves HTTPS with HSTS and defaults the public URL to https', async () => {
    expect(server.baseUrl.startsWith('https://')).toBe(true);
    const agent = new Agent({ ca: [one.cert] });
    try {
      const res = await get(`${server.baseUrl}${routes.health.url}`, agent);
      expect(res.status).toBe(200);
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
    } finally {
      agent.destroy();
    }
    expect(server.output.join('')).toContain(`listening on https://127.0.0.1:${server.port}`);
    // Plain HTTP to the TLS port gets no API answer.
    await expect(fetch(`http://127.0.0.1:${server.port}${routes.health.url}`)).rejects.toThrow();
  });

  it('serves a rotated certificate after SIGHUP while an open keep-alive connection stays up', async () => {
    expect(await servedCommonName(server.port, [one.cert])).toBe('latchkey-one');
    const agent = new Agent({ ca: [one.cert, two.cert], keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(`${server.baseUrl}${routes.health.url}`, agent);
      expect(first.status).toBe(200);

      writeFileSync(certFile, two.cert);
      writeFileSync(keyFile, two.key);
      process.kill(server.pid, 'SIGHUP');
      const deadline = Date.now() + 10_000;
      while (!server.output.join('').includes('TLS certificate reloaded') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(server.output.join('')).toContain('TLS certificate reloaded');

      // The connection opened before the reload carries on: same socket, answered.
      const second = await get(`${server.baseUrl}${routes.health.url}`, agent);
      expect(second.status).toBe(200);
      expect(second.reusedSocket).toBe(true);
      expect(second.localPort).toBe(first.localPort);
      // New handshakes get the new certificate.
      expect(await servedCommonName(server.port, [two.cert])).toBe('latchkey-two');
      expect(new X509Certificate(two.cert).subject).toContain('latchkey-two');
    } finally {
      agent.destroy();
    }
  });

  it('refuses to start with half a pair or a key of another certificate, naming the variable', () => {
    const error = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (err) {
        return (err as ConfigError).message;
      }
      return 'accepted';
    };
    expect(error({ LATCHKEY_TLS_CERT_FILE: certFile })).toBe('LATCHKEY_TLS_KEY_FILE: must be set together with LATCHKEY_TLS_CERT_FILE');
    expect(error({ LATCHKEY_TLS_KEY_FILE: keyFile })).toBe('LATCHKEY_TLS_CERT_FILE: must be set together with LATCHKEY_TLS_KEY_FILE');
    const otherKey = join(dir, 'other.key');
    writeFileSync(otherKey, one.key);
    writeFileSync(join(dir, 'two.crt'), two.cert);
    expect(error({ LATCHKEY_TLS_CERT_FILE: join(dir, 'two.crt'), LATCHKEY_TLS_KEY_FILE: otherKey })).toMatch(
      /^LATCHKEY_TLS_KEY_FILE: does not match/,
    );
    expect(error({ LATCHKEY_TLS_CERT_FILE: otherKey, LATCHKEY_TLS_KEY_FILE: otherKey })).toBe(
      'LATCHKEY_TLS_CERT_FILE: must hold a PEM certificate',
    );
    expect(
      loadConfig({ LATCHKEY_TLS_CERT_FILE: join(dir, 'two.crt'), LATCHKEY_TLS_KEY_FILE: join(dir, 'latchkey-two.key') }).publicUrl,
    ).toBe('https://127.0.0.1:8080');
  });

  it('keeps serving the previous certificate when the new pair does not match', async () => {
    writeFileSync(certFile, one.cert); // key file still holds two's key
    process.kill(server.pid, 'SIGHUP');
    const deadline = Date.now() + 10_000;
    while (!server.output.join('').includes('TLS certificate not reloaded') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(server.output.join('')).toMatch(
      /TLS certificate not reloaded, still serving the previous one: LATCHKEY_TLS_KEY_FILE: does not match/,
    );
    expect(await servedCommonName(server.port, [two.cert])).toBe('latchkey-two');
    // Nothing of a key ever reaches the output.
    expect(server.output.join('')).not.toContain('PRIVATE KEY');
  });
});
