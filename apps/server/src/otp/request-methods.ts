import { allowedRequestMethods, type OtpRequestBody, type OtpRequestState } from '@latchkey/contracts';
import { resolveLocale } from '@latchkey/i18n';
import type { ClientRow } from '../clients/client-store.js';
import type { DirectoryEmail } from '../directory/directory-email.js';
import { isRefusal, type Refusal } from '../refusal.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { UserService } from '../users/user-service.js';
import type { OtpService } from './otp-service.js';

export type RequestOtp = ReturnType<typeof createRequestOtp>;

/**
 * `POST /api/v1/otp/requests`, by method: `email` and `emergency` wait for a person; `directory`
 * (the email from Active Directory) and `internal` (an internal user's login and password) are issued
 * at once. Which methods the settings allow is `allowedRequestMethods`, the rule the lock reads too.
 * The mails about the request speak the lock's `locale` (a supported one, else English).
 */
export function createRequestOtp(deps: { otp: OtpService; users: UserService; directoryEmail: DirectoryEmail; settings: SettingsStore }) {
  const { otp, users, directoryEmail, settings } = deps;

  /** The internal user behind `login` and `password`, each outcome audited with the Client it came from. */
  async function internalUser(client: ClientRow, body: OtpRequestBody & { login: string; password: string }) {
    const where = { type: 'internal_user.lookup', clientId: client.id, computerName: client.computerName, osUser: body.osUser } as const;
    return users.authenticate(body.login, body.password, { kind: 'client', clientId: client.id }, (outcome) =>
      isRefusal(outcome)
        ? { ...where, detail: `${outcome.refused} for login ${body.login}` }
        : { ...where, email: outcome.email, detail: `found ${outcome.login}` },
    );
  }

  return async (client: ClientRow, body: OtpRequestBody): Promise<OtpRequestState | Refusal> => {
    if (!client.allowOtp) return { refused: 'otp_not_allowed' };
    const allowed = allowedRequestMethods(settings.get());
    const common = { osUser: body.osUser, relockOf: body.relockOf, locale: resolveLocale(body.locale) };
    switch (body.method) {
      case 'email':
      case 'emergency':
        if (!allowed.has(body.method)) return { refused: 'method_not_allowed', method: 'email' };
        if (!body.email) return { refused: 'missing_field', field: 'email' };
        return otp.requestApproval(client, { ...common, email: body.email, method: body.method, reason: body.reason ?? null });
      case 'directory': {
        if (!allowed.has('directory')) return { refused: 'method_not_allowed', method: 'directory' };
        const found = await directoryEmail(client, body.osUser);
        if (isRefusal(found)) return found;
        return otp.issueNow(client, { ...common, email: found.email, method: 'directory' });
      }
      case 'internal': {
        if (!allowed.has('internal')) return { refused: 'method_not_allowed', method: 'internal' };
        const { login, password } = body;
        if (!login || !password) return { refused: 'missing_field', field: 'credentials' };
        const user = await internalUser(client, { ...body, login, password });
        if (isRefusal(user)) return user;
        return otp.issueNow(client, { ...common, email: user.email, method: 'internal', user });
      }
    }
  };
}
