import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { guardTaskXml } from '../../src/main/guard-task-xml.js';
import { encodeTaskXml, taskXml } from '../../src/main/task-xml.js';

// Microsoft's Task Scheduler schema ([MS-TSCH] 2.5) for the elements both documents use, checked by
// a real XSD validator (Debian's libxml2-utils, installed by scripts/install-test-deps.sh).
const SCHEMA = fileURLToPath(new URL('./fixtures/task-scheduler-schema.xsd', import.meta.url));
const xmllint = spawnSync('xmllint', ['--version']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'latchkey-task-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COMMAND = 'C:\\Program Files\\Latchkey & Co\\Latchkey.exe';
const documents = {
  lock: taskXml({ command: COMMAND, arguments: '--from-task', workingDirectory: 'C:\\Program Files\\Latchkey & Co' }),
  'lock (no optional parts)': taskXml({ command: COMMAND }),
  guard: guardTaskXml({ command: COMMAND }),
};

let files = 0;
/** Validates the bytes schtasks /Create /XML would read (UTF-16 LE, BOM, CRLF). */
function validate(xml: string): { valid: boolean; errors: string } {
  const file = join(dir, `task-${files++}.xml`);
  writeFileSync(file, encodeTaskXml(xml));
  const run = spawnSync('xmllint', ['--noout', '--schema', SCHEMA, file], { encoding: 'utf8' });
  return { valid: run.status === 0, errors: run.stderr };
}

describe.skipIf(!xmllint)("the task documents against Microsoft's Task Scheduler schema (needs xmllint)", () => {
  for (const [name, xml] of Object.entries(documents)) {
    it(`the ${name} task document is valid`, () => {
      const result = validate(xml);
      expect(result.errors).toMatch(/validates$/m);
      expect(result.valid).toBe(true);
    });
  }

  it('refuses RestartOnFailure Count 999, as both documents once had ([MS-TSCH] 2.5.4.2: 1 to 255)', () => {
    for (const xml of Object.values(documents)) {
      const result = validate(xml.replace(/<Count>\d+<\/Count>/, '<Count>999</Count>'));
      expect(result.valid).toBe(false);
      expect(result.errors).toMatch(/Element '\{[^}]+\}Count': '999' is not a valid value/);
    }
    expect(validate(documents.lock.replace(/<Count>\d+<\/Count>/, '<Count>0</Count>')).valid).toBe(false);
    expect(validate(documents.lock.replace(/<Count>\d+<\/Count>/, '<Count>255</Count>')).valid).toBe(true);
  });

  // The schema is only worth what it refuses: each of these breaks one published rule.
  const broken: [string, (xml: string) => string, RegExp][] = [
    [
      'a trigger child out of order',
      (x) => x.replace('<Enabled>true</Enabled>\n    </LogonTrigger>', '<Delay>PT0M</Delay><Enabled>true</Enabled></LogonTrigger>'),
      /Enabled/,
    ],
    [
      'an unknown MultipleInstancesPolicy',
      (x) => x.replace(/<MultipleInstancesPolicy>\w+</, '<MultipleInstancesPolicy>Sometimes<'),
      /MultipleInstancesPolicy/,
    ],
    ['an unknown StateChange', (x) => x.replace('SessionUnlock', 'SessionResume'), /StateChange/],
    ['an unknown RunLevel', (x) => x.replace(/<RunLevel>\w+</, '<RunLevel>Elevated<'), /RunLevel/],
    ['Priority 11', (x) => x.replace(/<Priority>\d+</, '<Priority>11<'), /Priority/],
    ['a restart interval under a minute', (x) => x.replace(/<Interval>[^<]+</, '<Interval>PT30S<'), /Interval/],
    [
      'an ExecutionTimeLimit that is not a duration',
      (x) => x.replace(/<ExecutionTimeLimit>[^<]+</, '<ExecutionTimeLimit>forever<'),
      /ExecutionTimeLimit/,
    ],
    ['a boolean written True', (x) => x.replace('<Hidden>false<', '<Hidden>True<'), /Hidden/],
    ['RestartOnFailure without its Count', (x) => x.replace(/\s*<Count>\d+<\/Count>/, ''), /Count/],
    ['an Exec without a Command', (x) => x.replace(/<Command>[^<]+<\/Command>/, ''), /Command/],
    ['no Actions', (x) => x.replace(/<Actions[\s\S]*<\/Actions>/, ''), /Actions/],
    ['Actions naming no Principal', (x) => x.replace(/<Actions Context="\w+">/, '<Actions Context="Nobody">'), /Nobody/],
    ['a Command longer than 260 characters', (x) => x.replace(/<Command>[^<]+</, `<Command>C:\\${'a'.repeat(260)}.exe<`), /Command/],
    ['an element the schema does not know', (x) => x.replace('<Hidden>', '<Invisible>true</Invisible><Hidden>'), /Invisible/],
    ['a task version other than 1.3', (x) => x.replace('version="1.3"', 'version="1.2"'), /version/],
  ];
  for (const [what, breakIt, names] of broken) {
    it(`refuses ${what}`, () => {
      const changed = [documents.lock, documents.guard].map(breakIt).filter((xml) => !Object.values(documents).includes(xml));
      expect(changed.length).toBeGreaterThan(0);
      for (const xml of changed) {
        const result = validate(xml);
        expect(result.valid).toBe(false);
        expect(result.errors).toMatch(names);
      }
    });
  }
});
