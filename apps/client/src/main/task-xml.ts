/** The Windows "Users" group: every interactive user of the computer. */
export const USERS_GROUP_SID = 'S-1-5-32-545';
export const TASK_NAME = 'Latchkey\\Lock';
/**
 * Session state changes that start the task again (docs/client.md, "Asking again"): in a session
 * whose lock is running, the new instance hands over to it ('second-instance') and ends; in one whose
 * lock is gone, it is the lock. Electron reports Windows unlock itself, but not remote or console connect.
 */
export const SESSION_STATE_TRIGGERS = ['SessionUnlock', 'RemoteConnect', 'ConsoleConnect'] as const;

export interface TaskXmlInput {
  /** Full path of the installed executable. */
  command: string;
  arguments?: string;
  workingDirectory?: string;
  description?: string;
}

export const escapeXml = (value: string) =>
  value.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);

/**
 * Restart after a failure: every minute, as often as the schema allows. [MS-TSCH] 2.5.4.2 types
 * Count as an unsignedByte of at least 1 (1 to 255); schtasks /Create refuses a document beyond it.
 */
export const RESTART_ON_FAILURE = { interval: 'PT1M', count: 255 } as const;

/**
 * The Settings both Latchkey tasks share (the lock's and the guard's): never stopped on batteries,
 * idle or a time limit, not hard-terminated, restarted a minute after a failure. Only how a second
 * start is handled differs.
 */
export function taskSettingsXml(multipleInstances: 'Parallel' | 'IgnoreNew'): string {
  return `  <Settings>
    <MultipleInstancesPolicy>${multipleInstances}</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>false</AllowHardTerminate>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <WakeToRun>false</WakeToRun>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <Priority>4</Priority>
    <RestartOnFailure>
      <Interval>${RESTART_ON_FAILURE.interval}</Interval>
      <Count>${RESTART_ON_FAILURE.count}</Count>
    </RestartOnFailure>
  </Settings>
`;
}

/**
 * Task Scheduler definition that starts the lock at every logon and every session unlock, remote
 * connect and console connect: triggers for any user, the Users group as principal (so it runs in
 * each user's own interactive session, with that user's rights), restarted on failure, no execution
 * time limit. Instances run in parallel, one per session: IgnoreNew would leave a second user's
 * session without a lock while the first user's lock runs; the lock itself keeps one instance per
 * session (session-scope.ts).
 * schtasks /Create /XML wants the file in UTF-16 (see encodeTaskXml).
 */
export function taskXml(input: TaskXmlInput): string {
  const description = input.description ?? 'Latchkey: asks for a one-time password after logon and when the session comes back.';
  const optional = (tag: string, value: string | undefined) => (value ? `\n      <${tag}>${escapeXml(value)}</${tag}>` : '');
  return `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.3" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Author>Latchkey</Author>
    <Description>${escapeXml(description)}</Description>
    <URI>\\${escapeXml(TASK_NAME)}</URI>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>
    </LogonTrigger>${SESSION_STATE_TRIGGERS.map(
      (change) => `
    <SessionStateChangeTrigger>
      <Enabled>true</Enabled>
      <StateChange>${change}</StateChange>
    </SessionStateChangeTrigger>`,
    ).join('')}
  </Triggers>
  <Principals>
    <Principal id="Users">
      <GroupId>${USERS_GROUP_SID}</GroupId>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
${taskSettingsXml('Parallel')}  <Actions Context="Users">
    <Exec>
      <Command>${escapeXml(input.command)}</Command>${optional('Arguments', input.arguments)}${optional('WorkingDirectory', input.workingDirectory)}
    </Exec>
  </Actions>
</Task>
`;
}

/** UTF-16 LE with a byte-order mark and CRLF line ends, as schtasks expects. */
export function encodeTaskXml(xml: string): Uint8Array {
  const text = '\ufeff' + xml.replace(/\r?\n/g, '\r\n');
  const bytes = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes[i * 2] = unit & 0xff;
    bytes[i * 2 + 1] = unit >> 8;
  }
  return bytes;
}
