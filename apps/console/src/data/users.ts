import { routes, type CreateUserBody, type InternalUser, type UpdateUserBody } from '@latchkey/contracts';
import { api } from '../api';
import { useAsync } from './use-async';

/** The internal users, loaded once (and on `reload()`). */
export function useUsers() {
  return useAsync((signal) => api(routes.listUsers, {}, signal), []);
}

/** Adds an internal user; answers the user created. */
export function createUser(body: CreateUserBody): Promise<InternalUser> {
  return api(routes.createUser, { body });
}

/** Changes what `body` holds (email, role, Windows accounts or password) of one user. */
export async function updateUser(login: string, body: UpdateUserBody): Promise<void> {
  await api(routes.updateUser, { params: { login }, body });
}

export async function deleteUser(login: string): Promise<void> {
  await api(routes.deleteUser, { params: { login } });
}
