import { Type, type Static } from '@sinclair/typebox';
import { defineRoute } from './route.js';
import { errorResponses } from './errors-response.js';

export const HealthSchema = Type.Object({ status: Type.Literal('ok'), version: Type.String() }, { additionalProperties: false });
export type Health = Static<typeof HealthSchema>;

export const health = defineRoute({
  method: 'GET',
  url: '/api/v1/health',
  auth: { kind: 'none' },
  successStatus: 200,
  schema: { response: { 200: HealthSchema, ...errorResponses() } },
});
