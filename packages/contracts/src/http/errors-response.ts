import type { TSchema } from '@sinclair/typebox';
import { ErrorBodySchema } from '../errors.js';

/** The statuses every route may answer with the error shape, besides its own (415: a body that is not JSON). */
const COMMON_ERROR_STATUSES = [400, 413, 415, 429, 500, 503] as const;

export function errorResponses<const S extends readonly number[]>(
  ...statuses: S
): Record<S[number] | (typeof COMMON_ERROR_STATUSES)[number], typeof ErrorBodySchema> {
  const out: Record<number, TSchema> = {};
  for (const status of [...COMMON_ERROR_STATUSES, ...statuses]) out[status] = ErrorBodySchema;
  return out as Record<S[number] | (typeof COMMON_ERROR_STATUSES)[number], typeof ErrorBodySchema>;
}
