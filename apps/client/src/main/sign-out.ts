/** The command that ends the OS session of the user the lock runs for. */
export function signOutCommand(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): { command: string; args: string[] } {
  if (platform === 'win32') {
    const systemRoot = env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows';
    return { command: `${systemRoot}\\System32\\shutdown.exe`, args: ['/l'] };
  }
  if (platform === 'darwin') return { command: '/usr/bin/osascript', args: ['-e', 'tell application "System Events" to log out'] };
  const session = env.XDG_SESSION_ID?.trim();
  if (session && /^[A-Za-z0-9_.-]+$/.test(session)) return { command: 'loginctl', args: ['terminate-session', session] };
  return { command: 'loginctl', args: ['terminate-user', env.USER ?? ''] };
}
