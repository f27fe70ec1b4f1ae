import type { AccessRequest, AccessRequestFlag } from '@latchkey/contracts';
import type { Directory } from '../directory/index.js';

const DIRECTORY_CACHE_MS = 60_000;
const DIRECTORY_WAIT_MS = 2_000;

export type AccessRequestRow = Omit<AccessRequest, 'knownEmails' | 'flags'>;

/**
 * What an approver needs beside a request to judge its email: the emails this osUser verified with
 * before, the directory's mail (when a directory is configured) and the emails of linked internal
 * users; `new_email` when there are some and the requested email is none of them, `first_request`
 * when there are none (every first request would be "new", so the warning would stop meaning anything).
 * A directory that fails adds nothing.
 */
export function createApproverContext(deps: {
  emailsVerifiedBy: (osUser: string) => Promise<string[]>;
  linkedUserEmails: (osUser: string) => Promise<string[]>;
  directory: () => Directory | undefined;
  now: () => number;
}) {
  // The console polls the pending list every few seconds: ask the directory about an osUser at most
  // once a minute, and never let a slow directory hold the list up for long.
  const directoryCache = new Map<string, { at: number; emails: Promise<string[]> }>();

  async function lookUp(directory: Directory, osUser: string): Promise<string[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string[]>((resolve) => (timer = setTimeout(() => resolve([]), DIRECTORY_WAIT_MS)));
    const lookup = directory.lookupEmail(osUser).then(
      (found) => (found.kind === 'found' ? [found.email] : []),
      () => [],
    );
    try {
      return await Promise.race([lookup, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  function directoryEmail(osUser: string): Promise<string[]> {
    const directory = deps.directory();
    if (!directory) return Promise.resolve([]);
    const key = osUser.toLowerCase();
    const cached = directoryCache.get(key);
    if (cached && deps.now() - cached.at < DIRECTORY_CACHE_MS) return cached.emails;
    if (directoryCache.size > 1000) directoryCache.clear();
    const emails = lookUp(directory, osUser);
    directoryCache.set(key, { at: deps.now(), emails });
    return emails;
  }

  async function knownEmails(osUser: string): Promise<string[]> {
    const [verified, directory, linked] = await Promise.all([
      deps.emailsVerifiedBy(osUser),
      directoryEmail(osUser),
      deps.linkedUserEmails(osUser),
    ]);
    const all = [...verified, ...directory, ...linked];
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
        return { ...row, knownEmails: known, flags: flagsFor(row.email, known) };
      }),
    );
  };
}

function flagsFor(email: string, known: string[]): AccessRequestFlag[] {
  if (known.length === 0) return ['first_request'];
  return known.some((k) => k.toLowerCase() === email.toLowerCase()) ? [] : ['new_email'];
}
