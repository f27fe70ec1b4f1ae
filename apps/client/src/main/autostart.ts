/** Where a system-wide XDG autostart entry lives (every user's desktop session starts it). */
export const XDG_AUTOSTART_PATH = '/etc/xdg/autostart/latchkey.desktop';

const escapeExecArg = (arg: string) => (/[\s"'\\$`]/.test(arg) ? `"${arg.replace(/(["`$\\])/g, '\\$1')}"` : arg);

/** A desktop entry (freedesktop Desktop Entry spec) that starts the lock when a desktop session starts. */
export function xdgAutostartEntry(input: { exec: string; args?: string[]; name?: string }): string {
  const exec = [input.exec, ...(input.args ?? [])].map(escapeExecArg).join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    `Name=${input.name ?? 'Latchkey'}`,
    'Comment=Asks for a one-time password after logon',
    `Exec=${exec}`,
    'Terminal=false',
    'NoDisplay=true',
    'X-GNOME-Autostart-enabled=true',
    'X-GNOME-Autostart-Phase=Applications',
    'X-KDE-autostart-after=panel',
    '',
  ].join('\n');
}
