import { DIRECTORY_STATUS_CACHE_MS, routes, type DirectoryStatus } from '@latchkey/contracts';
import { routeOptions, type TypedApp } from '../route-options.js';
import { DirectoryUnavailableError } from '../../directory/index.js';

/** Not an account: the directory answering "not found" for it is what tells us it is reachable. */
const PROBE_ACCOUNT = 'latchkey-directory-status-check';

export default async function directoryStatusRoutes(app: TypedApp) {
  // One check at a time, answered to every caller for a few seconds: consoles poll, the directory should not notice.
  let last: { at: number; status: Promise<DirectoryStatus> } | undefined;

  async function check(): Promise<DirectoryStatus> {
    const directory = app.directory;
    if (!directory) return { configured: false, reachable: null, checkedAt: null };
    // The lookup is bounded by the directory's own timeout (LATCHKEY_LDAP_TIMEOUT_MS).
    const reachable = await directory.lookupEmail(PROBE_ACCOUNT).then(
      () => true,
      (err: unknown) => {
        if (!(err instanceof DirectoryUnavailableError)) app.log.warn({ err }, 'directory status check failed');
        return false;
      },
    );
    return { configured: true, reachable, checkedAt: app.clock.now() };
  }

  app.route({
    ...routeOptions(routes.getDirectoryStatus),
    handler: async () => {
      const now = app.clock.now();
      if (!last || now - last.at >= DIRECTORY_STATUS_CACHE_MS) last = { at: now, status: check() };
      return last.status;
    },
  });
}
