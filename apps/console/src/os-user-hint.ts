import { hasDomain, osUserNamePart, type SeenOsUser } from '@latchkey/contracts';

/** A warning when a name without a domain will not match what the Client reports (`frank` vs `CORP\frank`). */
export function osUserWarning(typed: string, seen: readonly SeenOsUser[]): string | undefined {
  const name = typed.trim();
  if (!name || hasDomain(name)) return undefined;
  const same = seen.find((u) => hasDomain(u.osUser) && osUserNamePart(u.osUser) === name.toLowerCase());
  if (same)
    return `This computer reports this user as ${same.osUser}. “${name}” will not match it, and the password would be refused. Use ${same.osUser}.`;
  const example = seen.find((u) => hasDomain(u.osUser));
  if (example)
    return `Users on this computer are reported with their domain, like ${example.osUser}. “${name}” without a domain will not match.`;
  return `“${name}” has no domain. It only matches if the computer reports the user without one; domain accounts are reported as DOMAIN\\name.`;
}
