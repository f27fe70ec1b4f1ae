import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from './route.js';
import { errorResponses } from './errors-response.js';
import { OsUserSchema } from './common.js';
import { ServerPublicKeySchema } from './verdict.js';
import { OfflineKeySchema } from './client.js';
import { LocaleTagSchema } from './otp.js';
import { LogonKindSchema } from './lock-decision.js';

/** The demo preview's computer and user, from its page's query string. */
export const PreviewQuerySchema = Type.Object(
  {
    computer: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' })),
    user: Type.Optional(OsUserSchema),
    /** v1.2: the lock's language, standing for Windows' display language (`de`, `fr-CA`; unknown: English). */
    lang: Type.Optional(LocaleTagSchema),
    /** v1.2: how the user logged on, for the lock decision (`local` unless `remote`). */
    logon: Type.Optional(LogonKindSchema),
  },
  { additionalProperties: false },
);
export type PreviewQuery = Static<typeof PreviewQuerySchema>;

export const PreviewSessionSchema = Type.Object(
  {
    clientToken: Type.String(),
    clientId: Type.String(),
    /** Plays the installer's pinned key: the page checks verdicts against it. */
    serverPublicKey: ServerPublicKeySchema,
    /** Plays the offline key the installer's enrollment stored: the page answers offline challenges with it. */
    offlineKey: OfflineKeySchema,
    osUser: Type.String(),
    computerName: Type.String(),
  },
  { additionalProperties: false },
);
export type PreviewSession = Static<typeof PreviewSessionSchema>;

/**
 * With LATCHKEY_DEMO=1 only: the demo Client the preview page runs as, enrolled under the computer
 * name on first use. Not under /api: it is the demo's, not the product's.
 */
export const previewSession = defineRoute({
  method: 'GET',
  url: '/preview/lock/session',
  auth: { kind: 'none' },
  successStatus: 200,
  schema: { querystring: PreviewQuerySchema, response: { 200: PreviewSessionSchema, ...errorResponses(429, 503) } },
});

/** Routes served only with LATCHKEY_DEMO=1. */
export const demoRoutes = { previewSession } as const;
