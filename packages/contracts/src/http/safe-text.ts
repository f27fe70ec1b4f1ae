import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * Text a person typed and another person reads (osUser, computerName, email, login, reason, comment).
 * Refused: control characters (Unicode Cc), format characters (Cf: bidi overrides and isolates,
 * zero-width spaces and joiners, soft hyphens, tag characters), every other default-ignorable code
 * point (the combining grapheme joiner U+034F, the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0,
 * variation selectors), the braille blank U+2800 (drawn as nothing, though not default-ignorable),
 * line and paragraph separators, and lone surrogates. These make one name look like another (`PC-1`
 * and `PC-1\u200b`), reverse what a reader sees, or break storage and mail. Multi-line fields (reason,
 * comment) may hold line feeds. Names (osUser, computer name, login) also refuse every space but the
 * ASCII one (U+00A0 and the rest of Zs), which looks the same and is not.
 *
 * A format rather than a pattern: Ajv (server) compiles patterns with the `u` flag and TypeBox's
 * Value.Check (console, Client) without it, so `\p{...}` and surrogates would differ between them.
 */
export const SAFE_TEXT_FORMAT = 'safe-text';
export const SAFE_MULTILINE_TEXT_FORMAT = 'safe-multiline-text';
export const SAFE_NAME_FORMAT = 'safe-name';

const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}\u2800]/u;
const NON_ASCII_SPACE = /[^\P{Zs} ]/u;

export function isSafeText(value: string): boolean {
  return !UNSAFE.test(value);
}

export function isSafeMultilineText(value: string): boolean {
  return isSafeText(value.replaceAll('\n', ''));
}

export function isSafeName(value: string): boolean {
  return isSafeText(value) && !NON_ASCII_SPACE.test(value);
}

/**
 * A name as a reader tells it apart from another: NFKC (`ＰＣ－１` is `PC-1`) and case folded
 * (`STRASSE` is `straße`), for finding names that only look different.
 */
export function foldName(name: string): string {
  return name.normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC');
}

/** For Ajv's `formats` option (the server registers the same checks the contracts do). */
export const SAFE_TEXT_FORMATS = {
  [SAFE_TEXT_FORMAT]: isSafeText,
  [SAFE_MULTILINE_TEXT_FORMAT]: isSafeMultilineText,
  [SAFE_NAME_FORMAT]: isSafeName,
} as const;

for (const [name, check] of Object.entries(SAFE_TEXT_FORMATS)) FormatRegistry.Set(name, check);

const isSafeTextSchema = (schema: TSchema) => typeof schema.format === 'string' && Object.hasOwn(SAFE_TEXT_FORMATS, schema.format);

/**
 * Puts every safe-text string of `value` (as `schema` describes it) into Unicode NFC, in place, so
 * `e` + combining acute and the precomposed `é` are stored as one and the same name. Other strings
 * (passwords, keys, codes) are left exactly as sent.
 */
export function normalizeSafeText(schema: TSchema, value: unknown): unknown {
  // A union (Type.Union: anyOf) normalises as the first member the normalised value then fits, on a
  // copy, so a member's safe text is never taken for another member's password or key. A value that
  // fits no member is left as sent: the schema refuses it anyway.
  const members = (schema.anyOf ?? schema.oneOf) as TSchema[] | undefined;
  if (members) {
    for (const member of members) {
      const normalized = normalizeSafeText(member, Value.Clone(value));
      if (Value.Check(member, normalized)) return normalized;
    }
    return value;
  }
  // An intersection (Type.Intersect: allOf) holds every member at once.
  const parts = schema.allOf as TSchema[] | undefined;
  if (parts) return parts.reduce((v, part) => normalizeSafeText(part, v), value);
  if (typeof value === 'string') return isSafeTextSchema(schema) ? value.normalize('NFC') : value;
  if (Array.isArray(value)) {
    const items = schema.items as TSchema | undefined;
    if (items) for (let i = 0; i < value.length; i++) value[i] = normalizeSafeText(items, value[i]);
    return value;
  }
  if (value !== null && typeof value === 'object') {
    const properties = schema.properties as Record<string, TSchema> | undefined;
    const record = value as Record<string, unknown>;
    if (properties) {
      for (const key of Object.keys(properties)) {
        if (Object.hasOwn(record, key)) record[key] = normalizeSafeText(properties[key]!, record[key]);
      }
    }
  }
  return value;
}
