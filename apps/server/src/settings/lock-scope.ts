import type { Settings } from '@latchkey/contracts';

/** Names compared as Windows does: case-insensitive, after NFC. */
const fold = (text: string) => text.normalize('NFC').toLowerCase();

/** The part of a computer or domain name that Windows shows before a `\` (`pc-0001.corp.example` → `pc-0001`). */
const shortName = (name: string) => fold(name).split('.')[0]!;

/**
 * An osUser split as Windows shows accounts: `DOMAIN\name` → domain and name; `name@dns.domain`
 * (UPN) → its name and the first label of the DNS domain (`corp.example.com` → `corp`, as the
 * down-level domain is usually named); `name` → no domain.
 */
function splitAccount(osUser: string): { domain: string | undefined; name: string } {
  const backslash = osUser.indexOf('\\');
  if (backslash !== -1) return { domain: fold(osUser.slice(0, backslash)), name: fold(osUser.slice(backslash + 1)) };
  const at = osUser.lastIndexOf('@');
  if (at !== -1) return { domain: shortName(osUser.slice(at + 1)), name: fold(osUser.slice(0, at)) };
  return { domain: undefined, name: fold(osUser) };
}

/**
 * The `exemptAccounts` entry that exempts osUser on the computer `computerName`, if any:
 * - `DOMAIN\name`: that account of that domain;
 * - `name`: an account of that name in any domain, local ones included;
 * - `.\name`: a local account of this computer. Windows names a local account's domain after the
 *   computer (USERDOMAIN is the computer name), so the lock sends it as `COMPUTERNAME\name`; that,
 *   or `.\name` itself, matches. A bare `name` osUser (no domain known) does not.
 * Case-insensitive, after NFC.
 */
export function exemptAccountMatch(entries: readonly string[], osUser: string, computerName: string): string | undefined {
  const account = splitAccount(osUser);
  const computer = shortName(computerName);
  return entries.find((entry) => {
    const wanted = splitAccount(entry);
    if (wanted.name !== account.name) return false;
    if (wanted.domain === undefined) return true;
    if (wanted.domain === '.') return account.domain === '.' || account.domain === computer;
    return wanted.domain === account.domain;
  });
}

/** Whether the settings lock this kind of logon at all. */
export function locksLogonKind(settings: Pick<Settings, 'lockLocalLogons' | 'lockRemoteLogons'>, logonKind: 'local' | 'remote'): boolean {
  return logonKind === 'local' ? settings.lockLocalLogons : settings.lockRemoteLogons;
}
