import type { InternalUser, Role } from '@latchkey/contracts';
import { parseList } from '../../format';
import type { described } from '../../components/field';

export const ROLES: Role[] = ['admin', 'helpdesk', 'user'];
export const ROLE_HINT =
  'admin: everything. helpdesk: requests, passwords, sessions, clients, audit. user: may only request one-time passwords.';
export const ACCOUNTS_HINT =
  'Windows accounts this user may unlock with their login and password, besides their own login name: DOMAIN\\name for one domain, name for any domain. One a line or comma-separated.';
const MAX_ACCOUNTS = 50;

/** The typed list of Windows accounts, or why it is not valid. */
export function parseAccounts(text: string): { accounts: string[]; error?: string } {
  const accounts = parseList(text);
  if (accounts.length > MAX_ACCOUNTS) return { accounts, error: `Enter at most ${MAX_ACCOUNTS} Windows accounts.` };
  const isControl = (c: string) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f;
  const bad = accounts.find((a) => a.length > 256 || [...a].some(isControl));
  return bad === undefined ? { accounts } : { accounts, error: `"${bad}" is not a valid Windows account.` };
}

/** Reports the outcome of an action in the page's notice. */
export type Say = (text: string, ok: boolean) => void;

/** What an open form of a row needs: its ids, the action runner, and Cancel. */
export interface RowForm {
  user: InternalUser;
  /** The prefix of the form's element ids, unique per user. */
  base: string;
  busy: boolean;
  /** Runs the change; on success says its message, closes the form and reloads the list. */
  run: (work: () => Promise<string>) => Promise<void>;
  close: () => void;
}

/** The role choice; the caller's Field gives it its label (and hint). */
export function RoleSelect({
  attrs,
  value,
  onChange,
}: {
  attrs: ReturnType<typeof described>;
  value: Role;
  onChange: (role: Role) => void;
}) {
  return (
    <select {...attrs} value={value} onChange={(e) => onChange(e.currentTarget.value as Role)}>
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </select>
  );
}
