import { ApiError } from '@latchkey/contracts';

/** A sentence for a person: the server's message, or a plain fallback. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'network_error') return 'The server could not be reached. Check the connection and try again.';
    if (err.code === 'rate_limited') return `Too many requests. Try again in ${err.retryAfterSeconds ?? 60} seconds.`;
    return err.message;
  }
  return 'Something went wrong. Try again.';
}
