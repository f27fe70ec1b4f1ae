import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { TASK_NAME, USERS_GROUP_SID, encodeTaskXml, taskXml } from '../../src/main/task-xml.js';

const xml = taskXml({ command: 'C:\\Program Files\\Latchkey\\Latchkey.exe', arguments: '--from-task' });
const python = spawnSync('python3', ['--version']).status === 0;

describe('Task Scheduler XML', () => {
  it("starts at logon of any user of the Users group, in that user's session, without elevation", () => {
    expect(xml).toMatch(/<LogonTrigger>\s*<Enabled>true<\/Enabled>\s*<\/LogonTrigger>/);
    expect(xml).not.toMatch(/<UserId>/); // no UserId in the trigger: every user
    expect(xml).toContain(`<GroupId>${USERS_GROUP_SID}</GroupId>`);
    expect(xml).toContain('<RunLevel>LeastPrivilege</RunLevel>');
    expect(xml).toContain('<Actions Context="Users">');
  });

  it('restarts on failure, has no time limit and runs one instance', () => {
    expect(xml).toMatch(/<RestartOnFailure>\s*<Interval>PT1M<\/Interval>\s*<Count>999<\/Count>\s*<\/RestartOnFailure>/);
    expect(xml).toContain('<ExecutionTimeLimit>PT0S</ExecutionTimeLimit>');
    expect(xml).toContain('<MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>');
    expect(xml).toContain('<DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>');
    expect(xml).toContain('<StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>');
    expect(xml).toContain('<AllowHardTerminate>false</AllowHardTerminate>');
  });

  it('names the task and the command, escaping XML characters', () => {
    expect(xml).toContain(`<URI>\\${TASK_NAME}</URI>`);
    expect(xml).toContain('<Command>C:\\Program Files\\Latchkey\\Latchkey.exe</Command>');
    expect(xml).toContain('<Arguments>--from-task</Arguments>');
    const odd = taskXml({ command: 'C:\\R&D <x>\\"a".exe' });
    expect(odd).toContain('<Command>C:\\R&amp;D &lt;x&gt;\\&quot;a&quot;.exe</Command>');
    expect(odd).not.toContain('<Arguments>');
  });

  it.skipIf(!python)('is well-formed XML in the Task Scheduler namespace', () => {
    const check = spawnSync(
      'python3',
      ['-c', 'import sys,xml.dom.minidom as m; d=m.parseString(sys.stdin.buffer.read()); print(d.documentElement.namespaceURI)'],
      {
        input: Buffer.from(xml.replace('encoding="UTF-16"', 'encoding="UTF-8"')),
      },
    );
    expect(check.stderr.toString()).toBe('');
    expect(check.stdout.toString().trim()).toBe('http://schemas.microsoft.com/windows/2004/02/mit/task');
  });

  it('is encoded as UTF-16 LE with a byte-order mark and CRLF', () => {
    const bytes = encodeTaskXml('<a>é</a>\n');
    expect([...bytes.slice(0, 2)]).toEqual([0xff, 0xfe]);
    expect(Buffer.from(bytes.slice(2)).toString('utf16le')).toBe('<a>é</a>\r\n');
  });
});
