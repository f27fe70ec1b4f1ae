import { Type, type Static } from '@sinclair/typebox';
import { defineRoute, type RouteAuth } from './route.js';
import { errorResponses } from './errors-response.js';
import {
  CommentSchema,
  EmailSchema,
  IdSchema,
  LoginNameSchema,
  OsUserSchema,
  PasswordSchema,
  QueryIntegerSchema,
  RoleSchema,
  TimestampSchema,
} from './common.js';
import { OtpRequestMethodSchema, RequestIdParamsSchema, RequestStatusSchema } from './otp.js';
import { ClientRoleSchema, OfflineCodeInputSchema } from './client.js';

const ADMIN_ONLY: RouteAuth = { kind: 'admin', roles: ['admin'] };
const STAFF: RouteAuth = { kind: 'admin', roles: ['admin', 'helpdesk'] };
const adminErrors = errorResponses(401, 403, 404, 409);

// ---- sign-in -------------------------------------------------------------------------------

export const AdminUserRefSchema = Type.Object({ login: Type.String(), role: RoleSchema }, { additionalProperties: false });
export type AdminUserRef = Static<typeof AdminUserRefSchema>;

export const LoginBodySchema = Type.Object({ login: LoginNameSchema, password: PasswordSchema }, { additionalProperties: false });
export type LoginBody = Static<typeof LoginBodySchema>;

export const LoginResultSchema = Type.Object(
  {
    token: Type.String(),
    user: AdminUserRefSchema,
    /** Send back as `X-CSRF-Token` on every change made with the session cookie. */
    csrfToken: Type.String(),
    idleTimeoutSeconds: Type.Integer(),
  },
  { additionalProperties: false },
);
export type LoginResult = Static<typeof LoginResultSchema>;

export const adminLogin = defineRoute({
  method: 'POST',
  url: '/api/v1/admin/login',
  auth: { kind: 'none' },
  successStatus: 200,
  schema: { body: LoginBodySchema, response: { 200: LoginResultSchema, ...errorResponses(401) } },
});

export const MeSchema = Type.Object(
  { user: AdminUserRefSchema, csrfToken: Type.String(), idleTimeoutSeconds: Type.Integer() },
  { additionalProperties: false },
);
export type Me = Static<typeof MeSchema>;

export const adminMe = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/me',
  auth: STAFF,
  successStatus: 200,
  schema: { response: { 200: MeSchema, ...adminErrors } },
});

export const adminLogout = defineRoute({
  method: 'POST',
  url: '/api/v1/admin/logout',
  auth: STAFF,
  successStatus: 204,
  schema: { response: { 204: Type.Null(), ...adminErrors } },
});

// ---- settings ------------------------------------------------------------------------------

export const SETTINGS_LIMITS = {
  accessRequestExpirationMinutes: { minimum: 1, maximum: 1440 },
  otpRequestIntervalMinutes: { minimum: 0, maximum: 1440 },
  otpLength: { minimum: 6, maximum: 10 },
  maxVerifyAttempts: { minimum: 1, maximum: 10 },
  // issue 9 (the lock holds): ask again when the session comes back
  unlockGraceMinutes: { minimum: 0, maximum: 480 },
} as const;

/** A mail domain as it follows the `@` (`corp.example.com`); matched exactly, case-insensitive. */
export const EmailDomainSchema = Type.String({
  minLength: 1,
  maxLength: 253,
  pattern: '^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$',
});

/** Why an access request deserves a closer look: `new_email`, the email is not among `knownEmails`. */
export const ACCESS_REQUEST_FLAGS = ['new_email'] as const;

const settingsProperties = {
  accessRequestExpirationMinutes: Type.Integer(SETTINGS_LIMITS.accessRequestExpirationMinutes),
  otpRequestIntervalMinutes: Type.Integer(SETTINGS_LIMITS.otpRequestIntervalMinutes),
  otpLength: Type.Integer(SETTINGS_LIMITS.otpLength),
  maxVerifyAttempts: Type.Integer(SETTINGS_LIMITS.maxVerifyAttempts),
  autoSendToDirectoryUsers: Type.Boolean(),
  autoSendToInternalUsers: Type.Boolean(),
  defaultAllowOneTimePasswords: Type.Boolean(),
  // offline unlock (issue 12)
  allowOfflineUnlock: Type.Boolean(),
  // issue 9 (the lock holds): ask again when the session comes back
  askAgainOnUnlock: Type.Boolean(),
  unlockGraceMinutes: Type.Integer(SETTINGS_LIMITS.unlockGraceMinutes),
  // v1.1 abuse rules: email and emergency requests and Generate Password only to these domains ([]: any).
  allowedEmailDomains: Type.Array(EmailDomainSchema, { maxItems: 100, uniqueItems: true }),
};

export const SettingsSchema = Type.Object(settingsProperties, { additionalProperties: false });
export type Settings = Static<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  accessRequestExpirationMinutes: 30,
  otpRequestIntervalMinutes: 60,
  otpLength: 8,
  maxVerifyAttempts: 5,
  autoSendToDirectoryUsers: false,
  autoSendToInternalUsers: false,
  defaultAllowOneTimePasswords: true,
  // offline unlock (issue 12)
  allowOfflineUnlock: true,
  // issue 9 (the lock holds): ask again when the session comes back
  askAgainOnUnlock: true,
  unlockGraceMinutes: 0,
  // v1.1 abuse rules
  allowedEmailDomains: [],
};

export const SettingsPatchSchema = Type.Partial(SettingsSchema, { additionalProperties: false });
export type SettingsPatch = Static<typeof SettingsPatchSchema>;

export const getSettings = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/settings',
  auth: ADMIN_ONLY,
  successStatus: 200,
  schema: { response: { 200: SettingsSchema, ...adminErrors } },
});

export const putSettings = defineRoute({
  method: 'PUT',
  url: '/api/v1/admin/settings',
  auth: ADMIN_ONLY,
  successStatus: 200,
  schema: { body: SettingsPatchSchema, response: { 200: SettingsSchema, ...adminErrors } },
});

// ---- clients -------------------------------------------------------------------------------

export const AdminClientSchema = Type.Object(
  {
    clientId: IdSchema,
    computerName: Type.String(),
    allowOneTimePasswords: Type.Boolean(),
    enrolledAt: TimestampSchema,
    lastSeenAt: Type.Union([TimestampSchema, Type.Null()]),
    /** The address the enrollment came from (null for Clients enrolled before it was recorded). */
    enrolledFromAddress: Type.Union([Type.String(), Type.Null()]),
    /** Another live lock (or another guard) has the same computerName (case-insensitive): one may be an impostor. */
    duplicateName: Type.Boolean(),
    /** lock, machine (the installer's) or guard; a guard never makes its computer's lock a duplicate. */
    role: ClientRoleSchema,
  },
  { additionalProperties: false },
);
export type AdminClient = Static<typeof AdminClientSchema>;

export const listClients = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/clients',
  auth: STAFF,
  successStatus: 200,
  schema: { response: { 200: Type.Array(AdminClientSchema), ...adminErrors } },
});

export const ClientIdParamsSchema = Type.Object({ clientId: IdSchema }, { additionalProperties: false });

export const patchClient = defineRoute({
  method: 'PATCH',
  url: '/api/v1/admin/clients/:clientId',
  auth: ADMIN_ONLY,
  successStatus: 200,
  schema: {
    params: ClientIdParamsSchema,
    body: Type.Object({ allowOneTimePasswords: Type.Boolean() }, { additionalProperties: false }),
    response: { 200: AdminClientSchema, ...adminErrors },
  },
});

/** Removes a Client: its token is refused from then on and its pending requests are denied. */
export const deleteClient = defineRoute({
  method: 'DELETE',
  url: '/api/v1/admin/clients/:clientId',
  auth: ADMIN_ONLY,
  successStatus: 204,
  schema: { params: ClientIdParamsSchema, response: { 204: Type.Null(), ...adminErrors } },
});

// ---- sessions ------------------------------------------------------------------------------

export const SessionViaSchema = Type.Union([
  Type.Literal('otp'),
  Type.Literal('emergency'),
  Type.Literal('generated'),
  Type.Literal('offline'),
]);
export type SessionVia = Static<typeof SessionViaSchema>;

export const AdminSessionSchema = Type.Object(
  {
    sessionId: IdSchema,
    clientId: IdSchema,
    computerName: Type.String(),
    userName: Type.String(),
    osUser: Type.String(),
    email: Type.String(),
    via: SessionViaSchema,
    startedAt: TimestampSchema,
    lastSeenAt: TimestampSchema,
    endedAt: Type.Union([TimestampSchema, Type.Null()]),
  },
  { additionalProperties: false },
);
export type AdminSession = Static<typeof AdminSessionSchema>;

export const ListSessionsQuerySchema = Type.Object(
  {
    /** Matches computer, osUser or email (substring, case-insensitive). */
    q: Type.Optional(Type.String({ maxLength: 200 })),
    active: Type.Optional(Type.Union([Type.Literal('true'), Type.Literal('false')])),
    limit: Type.Optional(QueryIntegerSchema),
    offset: Type.Optional(QueryIntegerSchema),
  },
  { additionalProperties: false },
);

export const listSessions = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/sessions',
  auth: STAFF,
  successStatus: 200,
  schema: { querystring: ListSessionsQuerySchema, response: { 200: Type.Array(AdminSessionSchema), ...adminErrors } },
});

// ---- access requests -----------------------------------------------------------------------

export const AccessRequestSchema = Type.Object(
  {
    requestId: IdSchema,
    clientId: IdSchema,
    computerName: Type.String(),
    osUser: Type.String(),
    email: Type.String(),
    method: OtpRequestMethodSchema,
    reason: Type.Union([Type.String(), Type.Null()]),
    status: RequestStatusSchema,
    createdAt: TimestampSchema,
    /** When a pending request lapses, or when its issued OTP expires. */
    expiresAt: TimestampSchema,
    decidedBy: Type.Union([Type.String(), Type.Null()]),
    decidedAt: Type.Union([TimestampSchema, Type.Null()]),
    comment: Type.Union([Type.String(), Type.Null()]),
    /** Emails this osUser verified with before, the directory's mail, the email of a linked internal user. */
    knownEmails: Type.Array(Type.String()),
    flags: Type.Array(Type.Union(ACCESS_REQUEST_FLAGS.map((f) => Type.Literal(f)))),
  },
  { additionalProperties: false },
);
export type AccessRequest = Static<typeof AccessRequestSchema>;

export const ListAccessRequestsQuerySchema = Type.Object(
  {
    status: Type.Optional(RequestStatusSchema),
    limit: Type.Optional(QueryIntegerSchema),
  },
  { additionalProperties: false },
);

/**
 * The answer of `listAccessRequests` carries this header: how many requests match the query in all,
 * however many the `limit` (200 unless given) let into the body. The console shows it as the total.
 */
export const ACCESS_REQUESTS_TOTAL_HEADER = 'x-total-count';

/** Newest first, at most `limit` (default 200, at most 1000); the total is in ACCESS_REQUESTS_TOTAL_HEADER. */
export const listAccessRequests = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/access-requests',
  auth: STAFF,
  successStatus: 200,
  schema: { querystring: ListAccessRequestsQuerySchema, response: { 200: Type.Array(AccessRequestSchema), ...adminErrors } },
});

export const DecisionBodySchema = Type.Object({ comment: Type.Optional(CommentSchema) }, { additionalProperties: false });
export type DecisionBody = Static<typeof DecisionBodySchema>;

export const approveAccessRequest = defineRoute({
  method: 'POST',
  url: '/api/v1/admin/access-requests/:requestId/approve',
  auth: STAFF,
  successStatus: 200,
  schema: { params: RequestIdParamsSchema, body: DecisionBodySchema, response: { 200: AccessRequestSchema, ...adminErrors } },
});

export const denyAccessRequest = defineRoute({
  method: 'POST',
  url: '/api/v1/admin/access-requests/:requestId/deny',
  auth: STAFF,
  successStatus: 200,
  schema: { params: RequestIdParamsSchema, body: DecisionBodySchema, response: { 200: AccessRequestSchema, ...adminErrors } },
});

// ---- generate password ---------------------------------------------------------------------

export const GenerateOtpBodySchema = Type.Object(
  { clientId: IdSchema, osUser: OsUserSchema, email: EmailSchema, comment: Type.Optional(CommentSchema) },
  { additionalProperties: false },
);
export type GenerateOtpBody = Static<typeof GenerateOtpBodySchema>;

export const GenerateOtpResultSchema = Type.Object({ requestId: IdSchema, expiresAt: TimestampSchema }, { additionalProperties: false });

export const generateOtp = defineRoute({
  method: 'POST',
  url: '/api/v1/admin/otp',
  auth: STAFF,
  successStatus: 201,
  schema: { body: GenerateOtpBodySchema, response: { 201: GenerateOtpResultSchema, ...adminErrors } },
});

// ---- internal users ------------------------------------------------------------------------

/**
 * A Windows account an internal user may request OTPs for with the `internal` method: `DOMAIN\name`
 * (that domain only) or `name` (any domain). Matched case-insensitively.
 */
export const WindowsAccountSchema = OsUserSchema;
export const WindowsAccountsSchema = Type.Array(WindowsAccountSchema, { maxItems: 50, uniqueItems: true });

export const InternalUserSchema = Type.Object(
  { login: Type.String(), email: Type.String(), role: RoleSchema, createdAt: TimestampSchema, windowsAccounts: Type.Array(Type.String()) },
  { additionalProperties: false },
);
export type InternalUser = Static<typeof InternalUserSchema>;

export const NEW_PASSWORD_MIN_LENGTH = 10;
export const NewPasswordSchema = Type.String({ minLength: NEW_PASSWORD_MIN_LENGTH, maxLength: 256 });

export const CreateUserBodySchema = Type.Object(
  {
    login: LoginNameSchema,
    password: NewPasswordSchema,
    email: EmailSchema,
    role: RoleSchema,
    windowsAccounts: Type.Optional(WindowsAccountsSchema),
  },
  { additionalProperties: false },
);
export type CreateUserBody = Static<typeof CreateUserBodySchema>;

export const UpdateUserBodySchema = Type.Object(
  {
    password: Type.Optional(NewPasswordSchema),
    email: Type.Optional(EmailSchema),
    role: Type.Optional(RoleSchema),
    windowsAccounts: Type.Optional(WindowsAccountsSchema),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserBody = Static<typeof UpdateUserBodySchema>;

const LoginParams = Type.Object({ login: LoginNameSchema }, { additionalProperties: false });

export const listUsers = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/users',
  auth: ADMIN_ONLY,
  successStatus: 200,
  schema: { response: { 200: Type.Array(InternalUserSchema), ...adminErrors } },
});

export const createUser = defineRoute({
  method: 'POST',
  url: '/api/v1/admin/users',
  auth: ADMIN_ONLY,
  successStatus: 201,
  schema: { body: CreateUserBodySchema, response: { 201: InternalUserSchema, ...adminErrors } },
});

export const updateUser = defineRoute({
  method: 'PATCH',
  url: '/api/v1/admin/users/:login',
  auth: ADMIN_ONLY,
  successStatus: 200,
  schema: { params: LoginParams, body: UpdateUserBodySchema, response: { 200: InternalUserSchema, ...adminErrors } },
});

export const deleteUser = defineRoute({
  method: 'DELETE',
  url: '/api/v1/admin/users/:login',
  auth: ADMIN_ONLY,
  successStatus: 204,
  schema: { params: LoginParams, response: { 204: Type.Null(), ...adminErrors } },
});

// ---- audit ---------------------------------------------------------------------------------

export const AuditEventSchema = Type.Object(
  {
    id: Type.Integer(),
    at: TimestampSchema,
    type: Type.String(),
    actor: Type.Union([Type.String(), Type.Null()]),
    clientId: Type.Union([Type.String(), Type.Null()]),
    computerName: Type.Union([Type.String(), Type.Null()]),
    osUser: Type.Union([Type.String(), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    requestId: Type.Union([Type.String(), Type.Null()]),
    detail: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type AuditEvent = Static<typeof AuditEventSchema>;

export const ListAuditQuerySchema = Type.Object(
  {
    limit: Type.Optional(QueryIntegerSchema),
    type: Type.Optional(Type.String({ maxLength: 64 })),
    computer: Type.Optional(Type.String({ maxLength: 255 })),
    user: Type.Optional(Type.String({ maxLength: 256 })),
    since: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
    until: Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })),
  },
  { additionalProperties: false },
);

export const listAudit = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/audit',
  auth: STAFF,
  successStatus: 200,
  schema: { querystring: ListAuditQuerySchema, response: { 200: Type.Array(AuditEventSchema), ...adminErrors } },
});

// ---- verification lockouts (100 consecutive failures per Client and osUser) -----------------

export const LockoutSchema = Type.Object(
  {
    clientId: IdSchema,
    computerName: Type.String(),
    osUser: Type.String(),
    failures: Type.Integer(),
    lockedAt: TimestampSchema,
  },
  { additionalProperties: false },
);
export type Lockout = Static<typeof LockoutSchema>;

export const listLockouts = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/lockouts',
  auth: STAFF,
  successStatus: 200,
  schema: { response: { 200: Type.Array(LockoutSchema), ...adminErrors } },
});

export const ClearLockoutBodySchema = Type.Object({ clientId: IdSchema, osUser: OsUserSchema }, { additionalProperties: false });

export const clearLockout = defineRoute({
  method: 'POST',
  url: '/api/v1/admin/lockouts/clear',
  auth: ADMIN_ONLY,
  successStatus: 204,
  schema: { body: ClearLockoutBodySchema, response: { 204: Type.Null(), ...adminErrors } },
});

// ---- offline unlock ------------------------------------------------------------------------

export const OfflineResponseBodySchema = Type.Object(
  {
    osUser: OsUserSchema,
    challenge: OfflineCodeInputSchema,
    /** Why the helpdesk gives access (who called, ticket); audited. */
    reason: Type.Optional(CommentSchema),
  },
  { additionalProperties: false },
);
export type OfflineResponseBody = Static<typeof OfflineResponseBodySchema>;

export const OfflineResponseResultSchema = Type.Object(
  /** `responseCode` is 10 characters of the offline alphabet, ungrouped; `expiresAt` is the latest it can work. */
  { responseCode: Type.String({ pattern: '^[0-9A-Z]{10}$' }), expiresAt: TimestampSchema },
  { additionalProperties: false },
);
export type OfflineResponseResult = Static<typeof OfflineResponseResultSchema>;

export const offlineResponse = defineRoute({
  method: 'POST',
  url: '/api/v1/admin/clients/:clientId/offline-response',
  auth: STAFF,
  successStatus: 200,
  schema: { params: ClientIdParamsSchema, body: OfflineResponseBodySchema, response: { 200: OfflineResponseResultSchema, ...adminErrors } },
});

export const RotateOfflineKeyResultSchema = Type.Object(
  { clientId: IdSchema, offlineKeyVersion: Type.Integer({ minimum: 1 }) },
  { additionalProperties: false },
);

/** A new offline key for the Client; the old one stops producing valid codes at once. */
export const rotateOfflineKey = defineRoute({
  method: 'POST',
  url: '/api/v1/admin/clients/:clientId/offline-key',
  auth: ADMIN_ONLY,
  successStatus: 200,
  schema: { params: ClientIdParamsSchema, response: { 200: RotateOfflineKeyResultSchema, ...adminErrors } },
});

export const OfflineUnlockRecordSchema = Type.Object(
  {
    unlockId: IdSchema,
    clientId: IdSchema,
    computerName: Type.String(),
    osUser: Type.String(),
    challenge: Type.String(),
    /** The staff member who asked for the response; null when the Client reported a code nobody asked for here. */
    issuedBy: Type.Union([Type.String(), Type.Null()]),
    reason: Type.Union([Type.String(), Type.Null()]),
    issuedAt: Type.Union([TimestampSchema, Type.Null()]),
    usedAt: Type.Union([TimestampSchema, Type.Null()]),
    reportedAt: Type.Union([TimestampSchema, Type.Null()]),
    sessionId: Type.Union([IdSchema, Type.Null()]),
  },
  { additionalProperties: false },
);
export type OfflineUnlockRecord = Static<typeof OfflineUnlockRecordSchema>;

export const listOfflineUnlocks = defineRoute({
  method: 'GET',
  url: '/api/v1/admin/offline-unlocks',
  auth: STAFF,
  successStatus: 200,
  schema: {
    querystring: Type.Object({ limit: Type.Optional(QueryIntegerSchema) }, { additionalProperties: false }),
    response: { 200: Type.Array(OfflineUnlockRecordSchema), ...adminErrors },
  },
});
