import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from '../route.js';
import { errorResponses } from '../errors-response.js';
import { LoginNameSchema, PasswordSchema, RoleSchema } from '../common.js';
import { STAFF, adminErrors } from './shared.js';

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
