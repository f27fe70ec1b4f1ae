import type { AccessRequest, AdminUserRef } from '@latchkey/contracts';

/** Who is signed in to the console, as `/me` tells it. */
export interface SessionInfo {
  user: AdminUserRef;
  idleTimeoutSeconds: number;
}

/** The pending access requests the shell polls for its badge, shared with the Access Requests page. */
export interface PendingFeed {
  requests: AccessRequest[] | undefined;
  /** How many requests are pending in all (the server's total; the page may hold fewer). */
  total: number | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}
