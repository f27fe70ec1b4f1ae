/** Every mail the server sends (apps/server/src/mail). */
export const mail = {} as const;
