import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig, loadDataConfig } from '../src/config.js';
import { ConfigError } from '../src/config-error.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      smtpUrl: undefined,
      mailFrom: 'Latchkey <latchkey@localhost>',
      demo: false,
      trustProxy: false,
    });
    expect(config.dataDir).toMatch(/\/data$/);
    expect(config.rateLimits).toEqual({ clientPerMinute: 60, anonymousPerMinute: 20, adminPerMinute: 600 });
    expect(config.requestTimeoutMs).toBe(30_000);
    expect(config.adminMaxSessionSeconds).toBe(43_200);
  });

  it('takes the maximum Management Tool session from LATCHKEY_ADMIN_MAX_SESSION_SECONDS, from 1 second up', () => {
    expect(loadConfig({ LATCHKEY_ADMIN_MAX_SESSION_SECONDS: '1' }).adminMaxSessionSeconds).toBe(1);
    expect(loadConfig({ LATCHKEY_ADMIN_MAX_SESSION_SECONDS: '31536000' }).adminMaxSessionSeconds).toBe(31_536_000);
  });

  it('takes the request timeout from LATCHKEY_REQUEST_TIMEOUT_MS', () => {
    expect(loadConfig({ LATCHKEY_REQUEST_TIMEOUT_MS: '2000' }).requestTimeoutMs).toBe(2000);
  });

  it.each([
    ['LATCHKEY_PORT', 'eighty'],
    ['LATCHKEY_PORT', '70000'],
    ['LATCHKEY_SMTP_URL', 'http://mail.example.com'],
    ['LATCHKEY_SMTP_URL', 'not a url'],
    ['LATCHKEY_ENROLLMENT_KEY', 'short'],
    ['LATCHKEY_ADMIN_PASSWORD', 'short'],
    ['LATCHKEY_ADMIN_EMAIL', 'a@b.com, c@d.com'],
    ['LATCHKEY_SECRET', 'c2hvcnQ='],
    ['LATCHKEY_DEMO', 'maybe'],
    ['LATCHKEY_TRUST_PROXY', 'proxy.example.com'],
    ['LATCHKEY_RATE_LIMIT_CLIENT_PER_MINUTE', '0'],
    ['LATCHKEY_MAIL_FROM', 'a@b.com\r\nBcc: c@d.com'],
    ['LATCHKEY_REQUEST_TIMEOUT_MS', '500'],
    ['LATCHKEY_REQUEST_TIMEOUT_MS', 'soon'],
    ['LATCHKEY_ADMIN_MAX_SESSION_SECONDS', '0'],
    ['LATCHKEY_ADMIN_MAX_SESSION_SECONDS', '1.5'],
    ['LATCHKEY_ADMIN_MAX_SESSION_SECONDS', '-60'],
    ['LATCHKEY_ADMIN_MAX_SESSION_SECONDS', '12h'],
    ['LATCHKEY_TIME_ZONE', 'Mars/Olympus_Mons'],
    ['LATCHKEY_TIME_ZONE', 'CET; rm -rf /'],
  ])('refuses %s=%j naming the variable', (name, value) => {
    let error: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(name);
    expect((error as ConfigError).message.startsWith(`${name}:`)).toBe(true);
  });

  it('takes the console and preview folders from LATCHKEY_CONSOLE_DIR and LATCHKEY_PREVIEW_DIR, else the monorepo builds', () => {
    const defaults = loadConfig({});
    expect(defaults.consoleDir).toBe(fileURLToPath(new URL('../../console/dist/', import.meta.url)));
    expect(defaults.previewDir).toBe(fileURLToPath(new URL('../../client/dist/renderer/', import.meta.url)));
    const set = loadConfig({ LATCHKEY_CONSOLE_DIR: '/srv/latchkey/console', LATCHKEY_PREVIEW_DIR: ' relative/renderer ' });
    expect(set.consoleDir).toBe('/srv/latchkey/console');
    expect(set.previewDir).toBe(resolve('relative/renderer'));
    expect(loadConfig({ LATCHKEY_CONSOLE_DIR: '  ' }).consoleDir).toBe(defaults.consoleDir);
  });

  it('gives backup and restore the data dir and the server key alone, the key from a file too', () => {
    const none = { onPostgres: false, databaseUrl: undefined, secretFile: undefined, signingKeyFile: undefined };
    expect(loadDataConfig({})).toEqual({ dataDir: resolve('./data'), secret: undefined, ...none });
    const dir = mkdtempSync(join(tmpdir(), 'latchkey-config-'));
    try {
      const key = Buffer.alloc(32, 7);
      writeFileSync(join(dir, 'secret'), `${key.toString('base64')}\n`);
      // A server's other variables may be missing or wrong: these commands do not read them.
      const data = loadDataConfig({ LATCHKEY_DATA_DIR: dir, LATCHKEY_SECRET_FILE: join(dir, 'secret'), LATCHKEY_PORT: 'eighty' });
      expect(data).toEqual({ ...none, dataDir: dir, secret: key, secretFile: join(dir, 'secret') });
      // A node on PostgreSQL: backup and restore refuse it, db:copy takes the URL as its target.
      writeFileSync(join(dir, 'url'), 'postgres://latchkey:pw@db.example.com/latchkey\n');
      expect(loadDataConfig({ LATCHKEY_DATABASE_URL_FILE: join(dir, 'url') })).toMatchObject({
        onPostgres: true,
        databaseUrl: 'postgres://latchkey:pw@db.example.com/latchkey',
      });
      expect(() => loadDataConfig({ LATCHKEY_SECRET: 'c2hvcnQ=' })).toThrow(ConfigError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is the one place the server reads the environment', () => {
    const src = fileURLToPath(new URL('../src/', import.meta.url));
    const readers = readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && file !== 'config.ts')
      .filter((file) => readFileSync(join(src, file), 'utf8').includes('process.env'))
      .map((file) => relative(src, join(src, file)));
    expect(readers).toEqual([]);
  });

  it('takes LATCHKEY_TIME_ZONE as an IANA name, and the system zone when unset', () => {
    expect(loadConfig({ LATCHKEY_TIME_ZONE: 'Europe/Berlin' }).timeZone).toBe('Europe/Berlin');
    expect(loadConfig({}).timeZone).toBe(new Intl.DateTimeFormat().resolvedOptions().timeZone);
  });

  it('stops the built server at start with one line naming the variable', () => {
    const entry = fileURLToPath(new URL('../dist/server.js', import.meta.url));
    const run = spawnSync(process.execPath, [entry], {
      env: { PATH: process.env.PATH, LATCHKEY_PORT: 'eighty' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(78);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual(['latchkey: invalid configuration: LATCHKEY_PORT: must be a whole number, got "eighty"']);
  });
});
