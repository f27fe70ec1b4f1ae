import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SESSION_STATE_TRIGGERS, TASK_NAME, USERS_GROUP_SID, encodeTaskXml, taskXml } from '../../src/main/task-xml.js';

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

  it('starts again on every session unlock, remote connect and console connect of any user', () => {
    expect(SESSION_STATE_TRIGGERS).toEqual(['SessionUnlock', 'RemoteConnect', 'ConsoleConnect']);
    for (const change of SESSION_STATE_TRIGGERS) {
      expect(xml).toMatch(
        new RegExp(
          `<SessionStateChangeTrigger>\\s*<Enabled>true</Enabled>\\s*<StateChange>${change}</StateChange>\\s*</SessionStateChangeTrigger>`,
        ),
      );
    }
    expect(xml.match(/<SessionStateChangeTrigger>/g)).toHaveLength(3);
  });

  it('runs instances in parallel, so a second session gets its own lock', () => {
    expect(xml).toContain('<MultipleInstancesPolicy>Parallel</MultipleInstancesPolicy>');
    expect(xml).not.toContain('IgnoreNew');
  });

  it('restarts on failure and has no time limit', () => {
    expect(xml).toMatch(/<RestartOnFailure>\s*<Interval>PT1M<\/Interval>\s*<Count>255<\/Count>\s*<\/RestartOnFailure>/);
    expect(xml).toContain('<ExecutionTimeLimit>PT0S</ExecutionTimeLimit>');
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

  it.skipIf(!python)('parses to exactly these triggers, this principal and this policy', () => {
    const script = [
      'import sys, json, xml.dom.minidom as m',
      'd = m.parseString(sys.stdin.buffer.read())',
      'text = lambda e: "".join(n.data for n in e.childNodes if n.nodeType == n.TEXT_NODE).strip()',
      'kids = lambda e: [c for c in e.childNodes if c.nodeType == c.ELEMENT_NODE]',
      'leaf = lambda e: {c.tagName: text(c) for c in kids(e)}',
      'one = lambda tag: d.getElementsByTagName(tag)',
      'triggers = [[t.tagName, leaf(t)] for t in kids(one("Triggers")[0])]',
      'principals = [[p.getAttribute("id"), leaf(p)] for p in one("Principal")]',
      'actions = one("Actions")[0]',
      'print(json.dumps({"triggers": triggers, "principals": principals, "context": actions.getAttribute("Context"),',
      '  "policy": text(one("MultipleInstancesPolicy")[0]), "exec": leaf(one("Exec")[0])}))',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script], { input: Buffer.from(xml.replace('encoding="UTF-16"', 'encoding="UTF-8"')) });
    expect(run.stderr.toString()).toBe('');
    expect(JSON.parse(run.stdout.toString())).toEqual({
      triggers: [
        ['LogonTrigger', { Enabled: 'true' }],
        ['SessionStateChangeTrigger', { Enabled: 'true', StateChange: 'SessionUnlock' }],
        ['SessionStateChangeTrigger', { Enabled: 'true', StateChange: 'RemoteConnect' }],
        ['SessionStateChangeTrigger', { Enabled: 'true', StateChange: 'ConsoleConnect' }],
      ],
      principals: [['Users', { GroupId: USERS_GROUP_SID, RunLevel: 'LeastPrivilege' }]],
      context: 'Users',
      policy: 'Parallel',
      exec: { Command: 'C:\\Program Files\\Latchkey\\Latchkey.exe', Arguments: '--from-task' },
    });
  });

  it('is encoded as UTF-16 LE with a byte-order mark and CRLF', () => {
    const bytes = encodeTaskXml('<a>é</a>\n');
    expect([...bytes.slice(0, 2)]).toEqual([0xff, 0xfe]);
    expect(Buffer.from(bytes.slice(2)).toString('utf16le')).toBe('<a>é</a>\r\n');
  });
});
