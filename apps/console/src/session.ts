import type { AdminUserRef } from '@latchkey/contracts';

/** Who is signed in to the console, as `/me` tells it. */
export interface SessionInfo {
  user: AdminUserRef;
  idleTimeoutSeconds: number;
}
