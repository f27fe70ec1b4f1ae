import { ApiError, routes, type LoginResult, type Me } from '@latchkey/contracts';
import { api } from '../api';
import { errorMessage } from './errors';

/** Signs in to the console; the answer holds the CSRF token for the calls that follow. */
export function signIn(login: string, password: string): Promise<LoginResult> {
  return api(routes.adminLogin, { body: { login, password } });
}

/** Why signing in failed, for a person: never whether the login name or the password was wrong. */
export function signInMessage(err: unknown): string {
  if (err instanceof ApiError && (err.code === 'invalid_credentials' || err.code === 'invalid_request')) {
    return 'The login name or password is not correct.';
  }
  if (err instanceof ApiError && err.code === 'rate_limited') {
    return `Too many sign-in attempts. Try again in ${err.retryAfterSeconds ?? 60} seconds.`;
  }
  return errorMessage(err);
}

/** Who is signed in (the cookie is httpOnly, so this is how the page learns it on load). */
export function currentSession(): Promise<Me> {
  return api(routes.adminMe, {});
}

/** Ends the server session. */
export async function endSession(): Promise<void> {
  await api(routes.adminLogout, {});
}
