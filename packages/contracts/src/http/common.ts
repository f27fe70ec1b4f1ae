import { Type, type Static } from '@sinclair/typebox';
import { SAFE_MULTILINE_TEXT_FORMAT, SAFE_NAME_FORMAT, SAFE_TEXT_FORMAT } from './safe-text.js';

/** One line of text a person typed: no control or format characters, no lone surrogates; stored NFC. */
export const SafeTextSchema = (options: { minLength?: number; maxLength: number; pattern?: string }) =>
  Type.String({ ...options, format: SAFE_TEXT_FORMAT });

/** Like SafeTextSchema, and no space but the ASCII one: a name that must not pass for another. */
export const SafeNameSchema = (options: { minLength?: number; maxLength: number; pattern?: string }) =>
  Type.String({ ...options, format: SAFE_NAME_FORMAT });

/** Like SafeTextSchema, and line feeds are allowed. */
export const SafeMultilineTextSchema = (options: { minLength?: number; maxLength: number }) =>
  Type.String({ ...options, format: SAFE_MULTILINE_TEXT_FORMAT });

/**
 * Exactly one plain address: a dot-atom local part (no quotes, comments, spaces, commas, CR/LF)
 * and a host name with at least one dot. Anything a mail header could be split or extended with
 * is outside the character set.
 */
export const EMAIL_PATTERN =
  "^(?!\\.)(?!.*\\.\\.)[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}(?<!\\.)@(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$";

export const EmailSchema = SafeTextSchema({ pattern: EMAIL_PATTERN, minLength: 3, maxLength: 254 });

const emailRegExp = new RegExp(EMAIL_PATTERN, 'u');
export function isValidEmail(value: string): boolean {
  return value.length <= 254 && emailRegExp.test(value);
}

/** `DOMAIN\name`, `name` or `name@domain`. */
export const OsUserSchema = SafeNameSchema({ minLength: 1, maxLength: 256 });

/** A computer's name as its Client reports it at enrollment. */
export const ComputerNameSchema = SafeNameSchema({ minLength: 1, maxLength: 255 });

export const OtpCodeSchema = Type.String({ pattern: '^[0-9]{6,10}$' });

export const IdSchema = Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' });

/** Integer milliseconds since the epoch, UTC. */
export const TimestampSchema = Type.Integer({ minimum: 0 });

/** A reason or an approver's comment: may span lines. */
export const CommentSchema = SafeMultilineTextSchema({ maxLength: 500 });

export const NoBodySchema = Type.Null();

export const RoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('helpdesk'), Type.Literal('user')]);
export type Role = Static<typeof RoleSchema>;

/** Internal users' login names, the one rule the schema, the console's form and the lock all use. */
export const LOGIN_NAME_PATTERN = '^[A-Za-z0-9._@-]{1,64}$';
export const LoginNameSchema = SafeNameSchema({ minLength: 1, maxLength: 64, pattern: LOGIN_NAME_PATTERN });
const LOGIN_NAME = new RegExp(LOGIN_NAME_PATTERN);
export const isValidLoginName = (login: string): boolean => LOGIN_NAME.test(login);
export const PasswordSchema = Type.String({ minLength: 1, maxLength: 256 });

/** Decimal digits in a query string (Ajv runs without type coercion). */
export const QueryIntegerSchema = Type.String({ pattern: '^[0-9]{1,9}$' });
