import type { ErrorCode } from '@latchkey/contracts';

/** A known failure with a stable code; its message is safe to show to the caller. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const accessDenied = () => new AppError(401, 'access_denied', 'Access denied.');
export const notFound = (what = 'The resource') => new AppError(404, 'not_found', `${what} was not found.`);
