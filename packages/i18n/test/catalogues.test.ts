import { describe, expect, it } from 'vitest';
import { CATALOGUES, SUPPORTED_LOCALES, resolveLocale, translate, type Message } from '../src/index.js';
import { en } from '../src/catalogues/en/index.js';

const placeholders = (m: Message) =>
  [
    ...new Set((typeof m === 'string' ? [m] : Object.values(m)).flatMap((s) => [...(s ?? '').matchAll(/\{(\w+)\}/g)].map((x) => x[1]))),
  ].sort();

describe('catalogues', () => {
  for (const locale of SUPPORTED_LOCALES) {
    it(`${locale} has every key of English, no other, each with the same placeholders`, () => {
      const catalogue = CATALOGUES[locale];
      expect(Object.keys(catalogue).sort()).toEqual(Object.keys(en).sort());
      for (const key of Object.keys(en) as (keyof typeof en)[]) {
        const message = catalogue[key];
        expect(typeof message === 'string' ? message.trim() : message.other.trim(), `${locale} ${key}`).not.toBe('');
        expect(placeholders(message), `${locale} ${key}`).toEqual(placeholders(en[key]));
      }
    });
  }

  it('resolves BCP 47 tags to a supported language, anything else to English', () => {
    expect(resolveLocale('de-AT')).toBe('de');
    expect(resolveLocale('FR')).toBe('fr');
    expect(resolveLocale('es-419')).toBe('es');
    expect(resolveLocale('pt-BR')).toBe('en');
    expect(resolveLocale('')).toBe('en');
    expect(resolveLocale(undefined)).toBe('en');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    const key = Object.keys(en)[0] as keyof typeof en | undefined;
    if (key === undefined) return; // no messages yet
    expect(typeof translate('en', key, {})).toBe('string');
  });
});
