import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SECRET_VARIABLES } from '../../src/config-file.js';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const UNIT = readFileSync(join(REPO, 'deploy/latchkey.service'), 'utf8');
const ANALYZE = '/usr/bin/systemd-analyze';
const hasAnalyze = existsSync(ANALYZE);
if (!hasAnalyze)
  console.warn(`systemd unit checks skipped: ${ANALYZE} is missing (apt-get install systemd; scripts/install-test-deps.sh does)`);

const lines = (key: string) =>
  UNIT.split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));

describe('deploy/latchkey.service', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The unit as shipped, pointed at this checkout and this machine's node (verify checks that ExecStart exists). */
  const localUnit = () => {
    const file = join(dir, 'latchkey.service');
    writeFileSync(file, UNIT.replace('/usr/local/bin/node', realpathSync(process.execPath)).replaceAll('/opt/latchkey/', REPO));
    return file;
  };

  it('hands every secret as a credential to its LATCHKEY_*_FILE variable, and nothing secret as plain environment', () => {
    const credentials = new Map(lines('LoadCredential').map((l) => l.split(':') as [string, string]));
    const fileVariables = lines('Environment').filter((e) => /^LATCHKEY_\w+_FILE=/.test(e));
    expect(fileVariables.length).toBeGreaterThanOrEqual(5);
    for (const assignment of fileVariables) {
      const [variable, value] = assignment.split('=') as [string, string];
      expect(SECRET_VARIABLES).toContain(variable.replace(/_FILE$/, ''));
      const name = /^%d\/([\w-]+)$/.exec(value)?.[1];
      expect(name, assignment).toBeDefined();
      expect(credentials.has(name!), `LoadCredential for ${name}`).toBe(true);
    }
    for (const variable of SECRET_VARIABLES) expect(UNIT).not.toMatch(new RegExp(`^Environment=${variable}=`, 'm'));
    for (const setting of [
      'ProtectSystem=strict',
      'NoNewPrivileges=yes',
      'StateDirectory=latchkey',
      'Restart=on-failure',
      'User=latchkey',
    ]) {
      expect(UNIT).toMatch(new RegExp(`^${setting}$`, 'm'));
    }
    expect(UNIT).not.toMatch(/^MemoryDenyWriteExecute=yes/m);
  });

  it.skipIf(!hasAnalyze)('passes systemd-analyze verify', () => {
    const run = spawnSync(ANALYZE, ['verify', '--man=no', localUnit()], { encoding: 'utf8' });
    expect(run.stderr.trim()).toBe('');
    expect(run.status).toBe(0);
  });

  it.skipIf(!hasAnalyze)('rates OK in systemd-analyze security (exposure below 2.0)', () => {
    const run = spawnSync(ANALYZE, ['security', '--offline=yes', '--no-pager', localUnit()], { encoding: 'utf8' });
    const exposure = /Overall exposure level for latchkey\.service: ([\d.]+)/.exec(run.stdout)?.[1];
    expect(exposure, run.stdout + run.stderr).toBeDefined();
    expect(Number(exposure)).toBeLessThan(2);
  });
});
