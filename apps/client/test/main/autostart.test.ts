import { describe, expect, it } from 'vitest';
import { xdgAutostartEntry } from '../../src/main/autostart.js';

describe('XDG autostart entry', () => {
  it('starts the lock in every desktop session, hidden from menus', () => {
    const entry = xdgAutostartEntry({ exec: '/opt/Latchkey/latchkey' });
    expect(entry.split('\n')[0]).toBe('[Desktop Entry]');
    expect(entry).toContain('Type=Application\n');
    expect(entry).toContain('Exec=/opt/Latchkey/latchkey\n');
    expect(entry).toContain('NoDisplay=true\n');
    expect(entry).toContain('X-GNOME-Autostart-enabled=true\n');
    expect(entry.endsWith('\n')).toBe(true);
  });

  it('quotes arguments with spaces or shell characters as the spec asks', () => {
    const entry = xdgAutostartEntry({ exec: '/opt/My Apps/latchkey', args: ['--x', 'a$b'] });
    expect(entry).toContain('Exec="/opt/My Apps/latchkey" --x "a\\$b"\n');
  });
});
