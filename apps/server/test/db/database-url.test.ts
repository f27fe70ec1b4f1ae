import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/config-error.js';
import { parseDatabaseUrl } from '../../src/db/postgres/database-url.js';

describe('LATCHKEY_DATABASE_URL', () => {
  it('is unset by default: SQLite in the data dir', () => {
    expect(loadConfig({}).database).toBeUndefined();
  });

  it('takes one host, or several with target_session_attrs=read-write, and sslmode', () => {
    const one = parseDatabaseUrl('postgres://latchkey:s%40cret@db.example.com/latchkey?sslmode=verify-full');
    expect(one).toMatchObject({
      hosts: [{ host: 'db.example.com', port: 5432 }],
      user: 'latchkey',
      database: 'latchkey',
      sslmode: 'verify-full',
      targetSessionAttrs: 'any',
      redacted: 'postgres://latchkey:***@db.example.com/latchkey?sslmode=verify-full',
    });
    const several = loadConfig({
      LATCHKEY_DATABASE_URL: 'postgresql://latchkey:pw@pg1:5432,pg2:5433,[2001:db8::1]/latchkey?target_session_attrs=read-write',
    }).database;
    expect(several?.hosts).toEqual([
      { host: 'pg1', port: 5432 },
      { host: 'pg2', port: 5433 },
      { host: '2001:db8::1', port: 5432 },
    ]);
    expect(several?.sslmode).toBe('disable');
  });

  it('comes from LATCHKEY_DATABASE_URL_FILE too (a secret: it holds the password)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-dburl-'));
    try {
      writeFileSync(join(dir, 'url'), 'postgres://latchkey:pw@127.0.0.1:5432/latchkey\n');
      expect(loadConfig({ LATCHKEY_DATABASE_URL_FILE: join(dir, 'url') }).database?.database).toBe('latchkey');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['mysql://u:p@h/db', /is not a postgres:\/\/ URL/],
    ['postgres://h/db', /names no user/],
    ['postgres://u:p@h', /names no database/],
    ['postgres://u:p@h:99999/db', /port out of range/],
    ['postgres://u:p@h:5432,/db?target_session_attrs=read-write', /not host or host:port/],
    ['postgres://u:p@pg1,pg2/db', /several hosts but not target_session_attrs=read-write/],
    ['postgres://u:p@h/db?sslmode=maybe', /sslmode must be one of/],
    ['postgres://u:p@h/db?sslmode=verify-ca', /verify-ca needs sslrootcert/],
    ['postgres://u:p@h/db?pool=5', /unknown parameter "pool"/],
  ])('refuses %s with one line naming the variable and never the password', (url, why) => {
    const attempt = () => loadConfig({ LATCHKEY_DATABASE_URL: url });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(why);
    expect(attempt).toThrow(/^LATCHKEY_DATABASE_URL: /);
    try {
      attempt();
    } catch (err) {
      expect((err as Error).message).not.toMatch(/:p@/);
    }
  });

  it('stops the built server on PostgreSQL without a shared enrollment key, with one line and before connecting', () => {
    const entry = fileURLToPath(new URL('../../dist/server.js', import.meta.url));
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-dburl-'));
    try {
      const run = spawnSync(process.execPath, [entry], {
        env: {
          PATH: process.env.PATH,
          LATCHKEY_DATA_DIR: join(dir, 'data'),
          LATCHKEY_DATABASE_URL: 'postgres://latchkey:pw@127.0.0.1/latchkey',
        },
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.status).toBe(78);
      expect(run.stdout).toBe('');
      // A key each node made up at its first start would differ: Clients enrolled on one node would be refused on another.
      expect(run.stderr.trim().split('\n')).toEqual([
        'latchkey: LATCHKEY_ENROLLMENT_KEY: must be set on PostgreSQL (or LATCHKEY_ENROLLMENT_KEY_FILE), the same on every node, so every node accepts the same Clients',
      ]);
      expect(run.stderr).not.toContain(':pw@');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
