#!/usr/bin/env bash
# Installs the Debian packages the tests use (Chromium, OpenLDAP, Samba AD, PostgreSQL, HAProxy, Xvfb, xmllint) when any is
# missing. Needs root; otherwise it says what to install and fails.
set -euo pipefail

declare -A NEEDED=(
  [/usr/bin/chromium]=chromium
  [/usr/sbin/slapd]=slapd
  [/usr/bin/ldapsearch]=ldap-utils
  [/usr/bin/samba-tool]=samba
  [/usr/sbin/samba]=samba-ad-dc
  [/usr/bin/xvfb-run]=xvfb
  [/usr/bin/xauth]=xauth
  [/usr/bin/kinit]=krb5-user
  [/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf]=fonts-dejavu-core
  # only a Recommends of samba-ad-dc, which --no-install-recommends leaves out; provisioning needs it
  [/usr/share/samba/setup/ad-schema]=samba-ad-provision
  [/usr/bin/openssl]=openssl
  # systemd-analyze verify checks deploy/latchkey.service
  [/usr/bin/systemd-analyze]=systemd
  # PostgreSQL (issue 20): test clusters are made with initdb in a temp dir, never the system cluster
  [/usr/lib/postgresql/15/bin/initdb]=postgresql
  # the haproxy.cfg of docs/operations.md is checked and run in front of two nodes (apps/server/test/multinode)
  [/usr/sbin/haproxy]=haproxy
  # xmllint holds the Task Scheduler documents to Microsoft's schema (apps/client task-scheduler-schema.test.ts)
  [/usr/bin/xmllint]=libxml2-utils
  [/usr/bin/x86_64-w64-mingw32-gcc-win32]=gcc-mingw-w64-x86-64-win32
)

missing=()
for path in "${!NEEDED[@]}"; do
  [ -e "$path" ] || missing+=("${NEEDED[$path]}")
done
# winbind ships the samba AD DC's auth helpers; it has no single file to look for that always exists.
dpkg -s winbind >/dev/null 2>&1 || missing+=(winbind)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [ "$(id -u)" != 0 ]; then
  echo "The tests need these Debian packages: ${missing[*]}" >&2
  echo "Install them with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "Installing test packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
