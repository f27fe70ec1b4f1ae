/** The Management Tool's routes, one file per domain, as `apps/server/src/routes/admin/*.ts` is. */
export * from './admin/auth.js';
export * from './admin/settings.js';
export * from './admin/clients.js';
export * from './admin/sessions.js';
export * from './admin/access-requests.js';
export * from './admin/users.js';
export * from './admin/audit.js';
export * from './admin/lockouts.js';
export * from './admin/offline-unlocks.js';
export * from './admin/directory.js';
