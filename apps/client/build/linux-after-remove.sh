#!/bin/bash
rm -f '/usr/bin/latchkey' /etc/xdg/autostart/latchkey.desktop
