/** The lock window and its pop-ups (apps/client/src/renderer, apps/client/src/lock). */
export const lock = {} as const;
