import type { AccessRequest } from '@latchkey/contracts';
import type { Directory } from '../directory/index.js';

export type AccessRequestRow = Omit<AccessRequest, 'knownEmails' | 'flags'>;

/**
 * What an approver needs beside a request to judge its email: the emails this osUser verified with
 * before, the directory's mail (when a directory is configured) and the emails of linked internal
 * users; `new_email` when the requested email is none of them. A directory that fails adds nothing.
 */
export function createApproverContext(deps: {
  emailsVerifiedBy: (osUser: string) => string[];
  linkedUserEmails: (osUser: string) => string[];
  directory: () => Directory | undefined;
}) {
  async function directoryEmail(osUser: string): Promise<string[]> {
    const directory = deps.directory();
    if (!directory) return [];
    try {
      const found = await directory.lookupEmail(osUser);
      return found.kind === 'found' ? [found.email] : [];
    } catch {
      return [];
    }
  }

  async function knownEmails(osUser: string): Promise<string[]> {
    const all = [...deps.emailsVerifiedBy(osUser), ...(await directoryEmail(osUser)), ...deps.linkedUserEmails(osUser)];
    const seen = new Set<string>();
    return all.filter((email) => !seen.has(email.toLowerCase()) && seen.add(email.toLowerCase()));
  }

  return async function withContext(rows: AccessRequestRow[]): Promise<AccessRequest[]> {
    const byOsUser = new Map<string, Promise<string[]>>();
    return Promise.all(
      rows.map(async (row) => {
        const key = row.osUser.toLowerCase();
        if (!byOsUser.has(key)) byOsUser.set(key, knownEmails(row.osUser));
        const known = await byOsUser.get(key)!;
        const isKnown = known.some((email) => email.toLowerCase() === row.email.toLowerCase());
        return { ...row, knownEmails: known, flags: isKnown ? [] : ['new_email' as const] };
      }),
    );
  };
}
