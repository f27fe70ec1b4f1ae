import { describe, expect, it } from 'vitest';
import { GUARD_TASK_NAME, SYSTEM_SID, guardTaskXml } from '../../src/main/guard-task-xml.js';

describe('guard task XML', () => {
  const xml = guardTaskXml({ command: 'C:\\Program Files\\Latchkey & Co\\Latchkey.exe' });

  it('runs the installed binary in guard mode as SYSTEM, with highest rights', () => {
    expect(xml).toContain(`<UserId>${SYSTEM_SID}</UserId>`);
    expect(xml).toContain('<RunLevel>HighestAvailable</RunLevel>');
    expect(xml).toContain('<Actions Context="System">');
    expect(xml).toContain('<Command>C:\\Program Files\\Latchkey &amp; Co\\Latchkey.exe</Command>');
    expect(xml).toContain('<Arguments>--guard</Arguments>');
    expect(xml).not.toContain('<GroupId>');
    expect(xml).toContain(`<URI>\\${GUARD_TASK_NAME}</URI>`);
  });

  it('starts at boot and at logon, one instance, never stopped for time, restarted on failure', () => {
    expect(xml).toMatch(/<BootTrigger>\s*<Enabled>true<\/Enabled>\s*<\/BootTrigger>/);
    expect(xml).toMatch(/<LogonTrigger>\s*<Enabled>true<\/Enabled>\s*<\/LogonTrigger>/);
    expect(xml).toContain('<MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>');
    expect(xml).toContain('<ExecutionTimeLimit>PT0S</ExecutionTimeLimit>');
    expect(xml).toContain('<AllowHardTerminate>false</AllowHardTerminate>');
    expect(xml).toMatch(/<RestartOnFailure>\s*<Interval>PT1M<\/Interval>\s*<Count>255<\/Count>/);
  });
});
