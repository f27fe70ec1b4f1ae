import { escapeXml, taskSettingsXml } from './task-xml.js';

/** LocalSystem: the guard runs as SYSTEM, which a standard user can neither end nor stop. */
export const SYSTEM_SID = 'S-1-5-18';
export const GUARD_TASK_NAME = 'Latchkey\\Guard';

/**
 * Task Scheduler definition of the guard: the installed Latchkey binary with `--guard`, as SYSTEM,
 * started at boot (and at any logon, should it ever have stopped), restarted on failure, one
 * instance, no time limit. schtasks /Create /XML wants it in UTF-16 (encodeTaskXml).
 */
export function guardTaskXml(input: { command: string }): string {
  return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.3" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Author>Latchkey</Author>
    <Description>Latchkey guard: brings the lock back in any session whose user has not unlocked it.</Description>
    <URI>\\${escapeXml(GUARD_TASK_NAME)}</URI>
  </RegistrationInfo>
  <Triggers>
    <BootTrigger>
      <Enabled>true</Enabled>
    </BootTrigger>
    <LogonTrigger>
      <Enabled>true</Enabled>
    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="System">
      <UserId>${SYSTEM_SID}</UserId>
      <RunLevel>HighestAvailable</RunLevel>
    </Principal>
  </Principals>
${taskSettingsXml('IgnoreNew')}  <Actions Context="System">
    <Exec>
      <Command>${escapeXml(input.command)}</Command>
      <Arguments>--guard</Arguments>
    </Exec>
  </Actions>
</Task>
`;
}
