import { Type, type Static } from '@sinclair/typebox';

/**
 * Exactly one plain address: a dot-atom local part (no quotes, comments, spaces, commas, CR/LF)
 * and a host name with at least one dot. Anything a mail header could be split or extended with
 * is outside the character set.
 */
export const EMAIL_PATTERN =
  "^(?!\\.)(?!.*\\.\\.)[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}(?<!\\.)@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$";

export const EmailSchema = Type.String({ pattern: EMAIL_PATTERN, minLength: 3, maxLength: 254 });

const emailRegExp = new RegExp(EMAIL_PATTERN, 'u');
export function isValidEmail(value: string): boolean {
  return value.length <= 254 && emailRegExp.test(value);
}

/** `DOMAIN\name`, `name` or `name@domain`; printable, no control characters. */
export const OsUserSchema = Type.String({ minLength: 1, maxLength: 256, pattern: '^[^\\u0000-\\u001f\\u007f]+$' });

export const OtpCodeSchema = Type.String({ pattern: '^[0-9]{6,10}$' });

export const IdSchema = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' });

/** Integer milliseconds since the epoch, UTC. */
export const TimestampSchema = Type.Integer({ minimum: 0 });

export const CommentSchema = Type.String({ maxLength: 500, pattern: '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$' });

export const NoBodySchema = Type.Null();

export const RoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('helpdesk'), Type.Literal('user')]);
export type Role = Static<typeof RoleSchema>;

/** Internal users' login names, the one rule the schema, the console's form and the lock all use. */
export const LOGIN_NAME_PATTERN = '^[A-Za-z0-9._@-]{1,64}$';
export const LoginNameSchema = Type.String({ minLength: 1, maxLength: 64, pattern: LOGIN_NAME_PATTERN });
const LOGIN_NAME = new RegExp(LOGIN_NAME_PATTERN);
export const isValidLoginName = (login: string): boolean => LOGIN_NAME.test(login);
export const PasswordSchema = Type.String({ minLength: 1, maxLength: 256 });

/** Decimal digits in a query string (Ajv runs without type coercion). */
export const QueryIntegerSchema = Type.String({ pattern: '^[0-9]{1,9}$' });
