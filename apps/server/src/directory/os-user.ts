/**
 * The account name in an osUser, which is what `{user}` in the filter stands for:
 * `DOMAIN\name` (down-level logon name) → `name`, `name@domain` (UPN) → `name`, `name` → `name`.
 * Only the first `\` separates the domain, so a name that itself contains `\` or `@` after a
 * domain stays whole and is escaped, never interpreted. Empty when there is no name part.
 */
export function osUserName(osUser: string): string {
  const backslash = osUser.indexOf('\\');
  if (backslash !== -1) return osUser.slice(backslash + 1);
  const at = osUser.lastIndexOf('@');
  if (at !== -1) return osUser.slice(0, at);
  return osUser;
}
