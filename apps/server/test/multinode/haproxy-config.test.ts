import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, selfSignedCertificate } from '@latchkey/test-support';
import { eventually, multinodeSkipReason, useNodes } from './nodes.js';

/**
 * The haproxy.cfg that docs/operations.md ("High availability: several servers on PostgreSQL") gives
 * IT departments, taken from the page itself: valid for Debian's HAProxy as written, and, run in front
 * of two real nodes, spreading requests over both and taking a killed one out.
 */
const HAPROXY = '/usr/sbin/haproxy';
const OPERATIONS_MD = fileURLToPath(new URL('../../../../docs/operations.md', import.meta.url));
const haproxySkip = existsSync(HAPROXY)
  ? undefined
  : `${HAPROXY} is missing: install the Debian package haproxy (scripts/install-test-deps.sh does it as root)`;

const work = mkdtempSync(join(tmpdir(), 'latchkey-haproxy-'));
let haproxy: ChildProcess | undefined;
afterAll(() => {
  haproxy?.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

function documentedConfig(): string {
  const block = /```haproxy\n([\s\S]*?)```/.exec(readFileSync(OPERATIONS_MD, 'utf8'))?.[1];
  if (!block) throw new Error('docs/operations.md has no ```haproxy block');
  return block;
}

/** The documented file with this machine's paths (and, given, addresses) in place of the example's; each must be there. */
function localConfig(addresses?: { port: number; nodes: number[] }): { file: string; ca: string } {
  const tls = selfSignedCertificate(work, 'lb');
  const pem = join(work, 'latchkey.pem');
  writeFileSync(pem, tls.cert + tls.key, { mode: 0o600 });
  const swaps: [string, string][] = [
    ['/etc/haproxy/latchkey.pem', pem],
    ['/run/haproxy/admin.sock', join(work, 'admin.sock')],
  ];
  if (addresses) {
    swaps.push(
      ['bind :443 ', `bind 127.0.0.1:${addresses.port} `],
      ['server node1 10.0.0.11:8080', `server node1 127.0.0.1:${addresses.nodes[0]}`],
      ['server node2 10.0.0.12:8080', `server node2 127.0.0.1:${addresses.nodes[1]}`],
    );
  }
  let config = documentedConfig();
  for (const [from, to] of swaps) {
    if (!config.includes(from)) throw new Error(`the documented haproxy.cfg no longer has "${from}"`);
    config = config.replace(from, to);
  }
  const file = join(work, 'haproxy.cfg');
  writeFileSync(file, config);
  return { file, ca: tls.cert };
}

describe.skipIf(haproxySkip !== undefined)(
  `the haproxy.cfg of docs/operations.md${haproxySkip ? ` (skipped: ${haproxySkip})` : ''}`,
  () => {
    it('is valid for haproxy -c as written', () => {
      const { file } = localConfig();
      const checked = spawnSync(HAPROXY, ['-c', '-f', file], { encoding: 'utf8' });
      expect(checked.stdout + checked.stderr).toContain('Configuration file is valid');
      expect(checked.status).toBe(0);
    });
  },
);

const skip = haproxySkip ?? multinodeSkipReason();
describe.skipIf(skip !== undefined)(`HAProxy as documented, in front of two nodes${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const n = useNodes();

  it('spreads requests over both nodes, and takes a killed node out by its health check while every request is answered', async () => {
    const port = await freePort();
    const { file, ca } = localConfig({ port, nodes: [n.a.port, n.b.port] });
    haproxy = spawn(HAPROXY, ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    haproxy.stderr?.on('data', (chunk: Buffer) => (said += chunk.toString()));
    const health = () => httpsJson(`https://127.0.0.1:${port}/api/v1/health`, ca);
    /** The server's status column of `show stat` (UP, DOWN …); undefined while HAProxy is not listening yet. */
    const serverState = async (name: string) => {
      const stat = await adminCommand(join(work, 'admin.sock'), 'show stat').catch(() => '');
      return stat
        .split('\n')
        .find((line) => line.startsWith(`latchkey_nodes,${name},`))
        ?.split(',')[17];
    };

    await eventually(async () => (await serverState('node1')) === 'UP' && (await serverState('node2')) === 'UP', 'both nodes UP').catch(
      (err: Error) => {
        throw new Error(`${err.message}; HAProxy said: ${said}`);
      },
    );
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const answer = await health();
      expect(answer.status).toBe(200);
      seen.add(answer.body.node);
    }
    expect([...seen].sort()).toEqual(['node-a', 'node-b']);

    await n.a.kill9();
    const killedAt = performance.now();
    const statuses: number[] = [];
    await eventually(async () => {
      statuses.push((await health()).status);
      return (await serverState('node1'))?.startsWith('DOWN') ?? false;
    }, 'node1 DOWN');
    const downMs = performance.now() - killedAt;
    console.info(`HAProxy took node1 out ${Math.round(downMs)} ms after it was killed`);
    expect(downMs).toBeLessThan(10_000);
    // Until then, requests to the dead node were sent again to the other (retries, redispatch): none failed.
    expect(statuses.every((status) => status === 200)).toBe(true);
    for (let i = 0; i < 5; i++) expect(await health()).toMatchObject({ status: 200, body: { node: 'node-b' } });
  }, 60_000);
});

function httpsJson(url: string, ca: string): Promise<{ status: number; body: { node: string } }> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text || '{}') as { node: string } }));
    }).on('error', reject);
  });
}

/** One command on HAProxy's admin socket (what `socat stdio /run/haproxy/admin.sock` does). */
function adminCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const conn = createConnection(socket, () => conn.write(`${command}\n`));
    conn.setEncoding('utf8');
    conn.on('data', (chunk: string) => (out += chunk));
    conn.on('end', () => resolve(out));
    conn.on('error', reject);
  });
}
