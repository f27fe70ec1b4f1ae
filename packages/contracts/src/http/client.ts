import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from './route.js';
import { errorResponses } from './errors-response.js';
import { IdSchema } from './common.js';

export const EnrollBodySchema = Type.Object(
  {
    enrollmentKey: Type.String({ minLength: 1, maxLength: 256 }),
    computerName: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\u0000-\\u001f\\u007f]+$' }),
  },
  { additionalProperties: false },
);
export type EnrollBody = Static<typeof EnrollBodySchema>;

export const EnrollResultSchema = Type.Object(
  { clientId: IdSchema, clientToken: Type.String({ minLength: 32 }) },
  { additionalProperties: false },
);
export type EnrollResult = Static<typeof EnrollResultSchema>;

export const enroll = defineRoute({
  method: 'POST',
  url: '/api/v1/clients/enroll',
  auth: { kind: 'none' },
  successStatus: 201,
  schema: { body: EnrollBodySchema, response: { 201: EnrollResultSchema, ...errorResponses(401) } },
});

export const ClientPolicySchema = Type.Object(
  {
    allowOneTimePasswords: Type.Boolean(),
    autoSendToDirectoryUsers: Type.Boolean(),
    autoSendToInternalUsers: Type.Boolean(),
    accessRequestExpirationMinutes: Type.Integer(),
    otpRequestIntervalMinutes: Type.Integer(),
    otpLength: Type.Integer(),
    askAgainOnUnlock: Type.Boolean(),
    unlockGraceMinutes: Type.Integer(),
    computerName: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type ClientPolicy = Static<typeof ClientPolicySchema>;

export const getPolicy = defineRoute({
  method: 'GET',
  url: '/api/v1/client/policy',
  auth: { kind: 'client' },
  successStatus: 200,
  schema: { response: { 200: ClientPolicySchema, ...errorResponses(401) } },
});
