#!/bin/bash
# deb afterInstall: what electron-builder's own script does that this app needs, plus the XDG
# autostart entry (the same text as xdgAutostartEntry({ exec: '/opt/Latchkey/latchkey' }); a unit
# test keeps the two equal).
set -e

ln -sf '/opt/Latchkey/latchkey' '/usr/bin/latchkey'

# SUID chrome-sandbox only where user namespaces do not work.
if ! { [[ -L /proc/self/ns/user ]] && unshare --user true; }; then
    chmod 4755 '/opt/Latchkey/chrome-sandbox' || true
else
    chmod 0755 '/opt/Latchkey/chrome-sandbox' || true
fi

mkdir -p /etc/xdg/autostart /etc/latchkey
cat > /etc/xdg/autostart/latchkey.desktop <<'DESKTOP'
[Desktop Entry]
Type=Application
Name=Latchkey
Comment=Asks for a one-time password after logon
Exec=/opt/Latchkey/latchkey
Terminal=false
NoDisplay=true
X-GNOME-Autostart-enabled=true
X-GNOME-Autostart-Phase=Applications
X-KDE-autostart-after=panel
DESKTOP
chmod 0644 /etc/xdg/autostart/latchkey.desktop
