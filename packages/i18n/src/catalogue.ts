/**
 * One catalogue per language: every text the lock, its pop-ups and the mails show, keyed. English is
 * the source; every other language must have the same keys (a test checks, and the types do too).
 *
 * A message is a template with `{name}` placeholders, or, where a number decides the wording, one
 * template per plural category of `Intl.PluralRules` (`other` always; `one`, `few`, `many` … as the
 * language needs). Dates and times are formatted by `Intl` (see format.ts), never written into a
 * template by hand.
 */
export type PluralMessage = { other: string } & Partial<Record<Intl.LDMLPluralRule, string>>;
export type Message = string | PluralMessage;
export type CatalogueOf<K extends string> = { readonly [key in K]: Message };
