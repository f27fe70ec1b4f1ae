import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from '../route.js';
import { EmailSchema, LoginNameSchema, OsUserSchema, RoleSchema, TimestampSchema } from '../common.js';
import { ADMIN_ONLY, adminErrors } from './shared.js';

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
    /** `user` when omitted (DEFAULT_USER_ROLE): a new user gets the least rights until someone chooses more. */
    role: Type.Optional(RoleSchema),
    windowsAccounts: Type.Optional(WindowsAccountsSchema),
  },
  { additionalProperties: false },
);
/** The role a new internal user gets unless one is chosen (the console's form preselects it too). */
export const DEFAULT_USER_ROLE = 'user' as const;
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
