import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { ErrorBody, ErrorCode } from '@latchkey/contracts';
import { AppError } from '../app-error.js';

const body = (code: ErrorCode, message: string, retryAfterSeconds?: number): ErrorBody => ({
  error: { code, message },
  ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
});

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
}

/** A message that names the field but never echoes patterns or library text. */
function describeValidation(context: string | undefined, issue: ValidationIssue | undefined): string {
  const where = `${context ?? 'request'}${issue?.instancePath ?? ''}`;
  if (!issue) return `Invalid ${where}.`;
  if (issue.keyword === 'additionalProperties') return `Unknown field "${String(issue.params.additionalProperty)}" in ${where}.`;
  if (issue.keyword === 'required') return `Missing field "${String(issue.params.missingProperty)}" in ${where}.`;
  if (issue.keyword === 'format') return `Invalid value for ${where}: it has control, invisible or text-direction characters.`;
  return `Invalid value for ${where}.`;
}

const STORAGE_UNAVAILABLE = new Set(['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_BUSY', 'SQLITE_LOCKED']);

/** Known errors become `{error:{code,message}}`; anything else is logged and answered with a bare 500. */
async function errorHandler(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError & { validationContext?: string }, request, reply) => {
    if (error instanceof AppError) {
      if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
      return reply.code(error.statusCode).send(body(error.code, error.message, error.retryAfterSeconds));
    }
    if (error.validation) {
      return reply
        .code(400)
        .send(body('invalid_request', describeValidation(error.validationContext, error.validation[0] as ValidationIssue)));
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      return reply.code(413).send(body('payload_too_large', 'The request body is too large.'));
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.code(415).send(body('invalid_request', 'Send the request body as application/json.'));
    }
    const storageCode = (error as { code?: string }).code?.split('_').slice(0, 2).join('_');
    if (storageCode && STORAGE_UNAVAILABLE.has(storageCode)) {
      request.log.error({ err: error }, 'storage unavailable');
      reply.header('retry-after', '30');
      return reply.code(503).send(body('service_unavailable', 'The server cannot store data right now. Try again shortly.'));
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send(body('invalid_request', 'The request is not valid.'));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send(body('internal_error', 'Something went wrong on the server. Try again.'));
  });

  app.setNotFoundHandler((_request, reply) => reply.code(404).send(body('not_found', 'No such endpoint.')));
}

export default fp(errorHandler, { name: 'error-handler' });
