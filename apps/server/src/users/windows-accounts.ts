import { osUserName } from '../directory/os-user.js';

const fold = (text: string) => text.toLowerCase();

/**
 * Whether an internal user may receive OTPs for this Windows account: its name part is the user's
 * login, or it matches one of the user's `windowsAccounts` (`DOMAIN\name` exactly, `name` in any
 * domain). All case-insensitive.
 */
export function isLinkedAccount(osUser: string, user: { login: string; windowsAccounts: readonly string[] }): boolean {
  const name = fold(osUserName(osUser));
  if (name !== '' && name === fold(user.login)) return true;
  return user.windowsAccounts.some((entry) => (entry.includes('\\') ? fold(entry) === fold(osUser) : fold(entry) === name));
}
