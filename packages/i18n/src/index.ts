import type { Message } from './catalogue.js';
import { en, type MessageKey } from './catalogues/en/index.js';
import { de } from './catalogues/de/index.js';
import { fr } from './catalogues/fr/index.js';
import { es } from './catalogues/es/index.js';

export type { Message, PluralMessage, CatalogueOf } from './catalogue.js';
export type { MessageKey };

/** The languages Latchkey speaks; anything else falls back to English. */
export const SUPPORTED_LOCALES = ['en', 'de', 'fr', 'es'] as const;
export type Locale = (typeof SUPPORTED_LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

export const CATALOGUES: { readonly [l in Locale]: { readonly [k in MessageKey]: Message } } = { en, de, fr, es };

/** A BCP 47 tag (`de-AT`, `fr`, `es-419`, `EN-us`) → the supported language it belongs to, else English. */
export function resolveLocale(tag: string | null | undefined): Locale {
  const primary = (tag ?? '').trim().split(/[-_]/)[0]!.toLowerCase();
  return (SUPPORTED_LOCALES as readonly string[]).includes(primary) ? (primary as Locale) : DEFAULT_LOCALE;
}

export type Params = Readonly<Record<string, string | number>>;

function fill(template: string, params: Params): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

const pluralRules = new Map<Locale, Intl.PluralRules>();
function pluralCategory(locale: Locale, count: number): Intl.LDMLPluralRule {
  let rules = pluralRules.get(locale);
  if (!rules) pluralRules.set(locale, (rules = new Intl.PluralRules(locale)));
  return rules.select(count);
}

/**
 * The text for `key` in `locale`, with `{name}` placeholders filled from `params`. A plural message
 * chooses its form by `params.count` (Intl.PluralRules of the locale).
 */
export function translate(locale: Locale, key: MessageKey, params: Params = {}): string {
  const message = CATALOGUES[locale][key] ?? en[key];
  if (typeof message === 'string') return fill(message, params);
  const count = Number(params.count ?? 0);
  return fill(message[pluralCategory(locale, count)] ?? message.other, params);
}

/** `translate` bound to one locale: `const t = translator('de'); t('lock.title')`. */
export function translator(locale: Locale): (key: MessageKey, params?: Params) => string {
  return (key, params) => translate(locale, key, params);
}
