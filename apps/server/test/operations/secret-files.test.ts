import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/config-error.js';
import { SERVER_ENTRY } from '@latchkey/test-support';

const dir = mkdtempSync(join(tmpdir(), 'latchkey-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const secretFile = (name: string, content: string) => {
  const file = join(dir, name);
  writeFileSync(file, content, { mode: 0o600 });
  return file;
};

const SECRET_B64 = Buffer.alloc(32, 7).toString('base64');
/** Each secret variable with a valid value, and where loadConfig puts it. */
const CASES: [string, string, (c: ReturnType<typeof loadConfig>) => unknown, unknown][] = [
  ['LATCHKEY_SMTP_URL', 'smtps://mailer:p%40ss@mail.example.com:465', (c) => c.smtpUrl?.href, 'smtps://mailer:p%40ss@mail.example.com:465'],
  ['LATCHKEY_SECRET', SECRET_B64, (c) => c.secret?.toString('base64'), SECRET_B64],
  ['LATCHKEY_ADMIN_PASSWORD', 'a long admin password', (c) => c.adminPassword, 'a long admin password'],
  ['LATCHKEY_ENROLLMENT_KEY', 'enrollment-key-from-a-file', (c) => c.enrollmentKey, 'enrollment-key-from-a-file'],
  ['LATCHKEY_METRICS_TOKEN', 'metrics-token-from-a-file-0123', (c) => c.metricsToken, 'metrics-token-from-a-file-0123'],
];

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('loadConfig accepted it');
}

describe('secrets from files (<NAME>_FILE)', () => {
  it.each(CASES)('reads %s from %s_FILE, dropping the trailing line break', (name, value, pick, expected) => {
    const file = secretFile(`${name}.txt`, `${value}\n`);
    expect(pick(loadConfig({ [`${name}_FILE`]: file }))).toEqual(expected);
    // The same as giving the variable itself.
    expect(pick(loadConfig({ [name]: value }))).toEqual(expected);
  });

  it.each(CASES)('refuses %s together with %s_FILE, naming the _FILE variable and not the value', (name, value) => {
    const file = secretFile(`${name}-both.txt`, `${value}-in-file\n`);
    const error = configError({ [name]: value, [`${name}_FILE`]: file });
    expect(error.variable).toBe(`${name}_FILE`);
    expect(error.message).toBe(`${name}_FILE: cannot be set together with ${name}`);
  });

  it.each(CASES)('refuses %s_FILE naming a file that is missing, unreadable or empty', (name) => {
    expect(configError({ [`${name}_FILE`]: join(dir, 'missing') }).message).toBe(
      `${name}_FILE: cannot read ${join(dir, 'missing')} (ENOENT)`,
    );
    expect(configError({ [`${name}_FILE`]: dir }).message).toBe(`${name}_FILE: cannot read ${dir} (EISDIR)`);
    const empty = secretFile(`${name}-empty`, '\n');
    expect(configError({ [`${name}_FILE`]: empty }).message).toBe(`${name}_FILE: names an empty file (${empty})`);
  });

  it('validates a secret from a file like the variable, without echoing it', () => {
    const file = secretFile('short-password', 'hunter2\n');
    const error = configError({ LATCHKEY_ADMIN_PASSWORD_FILE: file });
    expect(error.variable).toBe('LATCHKEY_ADMIN_PASSWORD');
    expect(error.message).not.toContain('hunter2');
  });

  it.skipIf(process.getuid?.() === 0)('refuses a file the server may not read (mode 000)', () => {
    const file = secretFile('locked', 'enrollment-key-locked-away\n');
    chmodSync(file, 0o000);
    expect(configError({ LATCHKEY_ENROLLMENT_KEY_FILE: file }).message).toMatch(/EACCES/);
  });

  it('starts the built server with every secret from a file and prints none of them', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'latchkey-secrets-data-'));
    try {
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        LATCHKEY_PORT: '0',
        LATCHKEY_DATA_DIR: dataDir,
        LATCHKEY_LOG_LEVEL: 'info',
      };
      for (const [name, value] of CASES) {
        // SMTP from a file too, but an address where nothing listens: mail stays queued, the start does not care.
        env[`${name}_FILE`] = secretFile(
          `${name}.run`,
          name === 'LATCHKEY_SMTP_URL' ? 'smtp://mailer:smtp-pass-in-file@127.0.0.1:9\n' : `${value}\n`,
        );
      }
      // The server starts (a free port; 10 s leave room for a loaded machine), then a bad value stops it: both paths
      // must keep the secrets out of its output.
      const run = spawnSync(process.execPath, ['-e', `import(${JSON.stringify(SERVER_ENTRY)}); setTimeout(() => process.exit(0), 10000)`], {
        env,
        encoding: 'utf8',
        timeout: 20_000,
      });
      const output = run.stdout + run.stderr;
      expect(output).toMatch(/listening/);
      for (const [, value] of CASES) expect(output).not.toContain(value);
      expect(output).not.toContain('smtp-pass-in-file');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
