import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { routes } from '@latchkey/contracts';
import { startServerProcess } from '@latchkey/test-support';
import { ENROLLMENT_KEY, buildTestApp, type TestApp } from '../helper.js';

/** Several nodes on one database (issue 20): which node answered, and keys that must be the same on each. */
const work = mkdtempSync(join(tmpdir(), 'latchkey-node-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function signingKeyFile(name: string): { file: string; publicKey: string; pem: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const file = join(work, `${name}.pem`);
  writeFileSync(file, pem, { mode: 0o600 });
  return { file, publicKey: createPublicKey(privateKey).export({ format: 'jwk' }).x!, pem };
}
const secret = () => randomBytes(32);

let t: TestApp | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

describe('LATCHKEY_NODE_NAME', () => {
  it('names the node in health, in every log line and in the metrics', async () => {
    const metricsToken = 'metrics-token-for-node-test-00';
    t = await buildTestApp({ env: { LATCHKEY_NODE_NAME: 'node-b.example', LATCHKEY_METRICS_TOKEN: metricsToken } });
    expect(await t.api()(routes.health, {})).toMatchObject({ status: 'ok', node: 'node-b.example' });
    await t.adminToken();
    const lines = t.logs.map((line) => JSON.parse(line) as { node?: string });
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.node).toBe('node-b.example');
    const scrape = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${metricsToken}` } });
    expect(scrape.body).toContain('latchkey_node_info{node="node-b.example"} 1');
  });

  it('defaults to the host name, and refuses a name a log or a metric label would garble', async () => {
    t = await buildTestApp();
    expect((await t.api()(routes.health, {})).node).toBe(hostname());
    await t.destroy();
    t = undefined;
    await expect(buildTestApp({ env: { LATCHKEY_NODE_NAME: 'node "a"' } })).rejects.toThrow(/LATCHKEY_NODE_NAME/);
  });
});

describe('LATCHKEY_SIGNING_KEY_FILE and the keys a database was first used with', () => {
  it('signs with the key from the file, and keeps it out of the data dir and the database', async () => {
    const key = signingKeyFile('shared');
    t = await buildTestApp({ env: { LATCHKEY_SIGNING_KEY_FILE: key.file } });
    const enrolled = await t.api()(routes.enroll, { body: { enrollmentKey: ENROLLMENT_KEY, computerName: 'PC-1' } });
    expect(enrolled.serverPublicKey).toBe(key.publicKey);
    expect(() => readFileSync(join(t!.dataDir, 'signing.key'))).toThrow();
    const rows = await t.query<{ name: string; fingerprint: string }>('SELECT name, fingerprint FROM key_fingerprints ORDER BY name');
    await t.close();
    expect(rows.map((r) => r.name)).toEqual(['secret', 'signing']);
    const secretFile = readFileSync(join(t.dataDir, 'secret.key'), 'utf8').trim();
    const everything = JSON.stringify(rows);
    for (const held of [secretFile, Buffer.from(secretFile, 'base64').toString('hex'), key.publicKey, key.pem]) {
      expect(everything).not.toContain(held);
    }
  });

  it('refuses a node started with another signing key or another secret key, naming which', async () => {
    const key = signingKeyFile('first');
    const first = secret().toString('base64');
    t = await buildTestApp({ env: { LATCHKEY_SIGNING_KEY_FILE: key.file, LATCHKEY_SECRET: first } });
    const { dataDir, databaseUrl } = t;
    await t.close();
    // The same data dir and (on PostgreSQL) the same database: another start of the same node, or another node.
    const again = (env: Record<string, string>) =>
      buildTestApp({ dataDir, smtp: t!.smtp, env: { ...env, ...(databaseUrl ? { LATCHKEY_DATABASE_URL: databaseUrl } : {}) } });

    const other = signingKeyFile('other');
    await expect(again({ LATCHKEY_SIGNING_KEY_FILE: other.file, LATCHKEY_SECRET: first })).rejects.toThrow(
      /^the verdict-signing key from LATCHKEY_SIGNING_KEY_FILE \(.*other\.pem\) is not the one this database was first used with/,
    );
    await expect(again({ LATCHKEY_SIGNING_KEY_FILE: key.file, LATCHKEY_SECRET: secret().toString('base64') })).rejects.toThrow(
      /^the secret key from LATCHKEY_SECRET \(or LATCHKEY_SECRET_FILE\) is not the one this database was first used with/,
    );
    // The data dir's own signing.key is another key too.
    await expect(again({ LATCHKEY_SECRET: first })).rejects.toThrow(/^the verdict-signing key from .*signing\.key is not the one/);
    // The same keys start it.
    const back = await again({ LATCHKEY_SIGNING_KEY_FILE: key.file, LATCHKEY_SECRET: first });
    await back.close();
  });

  it('the server process says so in one line and exits 78', async () => {
    const key = signingKeyFile('process');
    const first = await startServerProcess({ env: { LATCHKEY_SIGNING_KEY_FILE: key.file } });
    await first.stop();
    try {
      const refused = startServerProcess({ dataDir: first.dataDir, env: { LATCHKEY_SIGNING_KEY_FILE: signingKeyFile('process-2').file } });
      await expect(refused).rejects.toThrow(
        /exited \(78\):\nlatchkey: the verdict-signing key from LATCHKEY_SIGNING_KEY_FILE \(\S+process-2\.pem\) is not the one this database was first used with; start this node with the same verdict-signing key as the others\n$/,
      );
    } finally {
      rmSync(first.dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
