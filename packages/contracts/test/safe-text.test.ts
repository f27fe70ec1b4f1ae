import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { Type } from '@sinclair/typebox';
import {
  CommentSchema,
  ComputerNameSchema,
  EmailSchema,
  EnrollBodySchema,
  LoginNameSchema,
  OsUserSchema,
  foldName,
  isSafeText,
  normalizeSafeText,
} from '../src/index.js';

const UNSAFE = {
  'zero-width space': 'PC-1\u200b',
  'zero-width joiner': 'PC\u200d-1',
  'soft hyphen': 'PC\u00ad1',
  'byte order mark': '\ufeffPC-1',
  'right-to-left override': 'CORP\\\u202eann',
  'left-to-right isolate': 'CORP\\\u2066ann',
  'arabic letter mark': 'ann\u061c',
  'tag character': 'ann\u{e0041}',
  'lone high surrogate': 'ann\ud800',
  'lone low surrogate': '\udc00ann',
  'line separator': 'ann\u2028',
  NUL: 'ann\u0000',
  DEL: 'ann\u007f',
  'C1 control (NEL)': 'ann\u0085',
  tab: 'ann\tx',
  'carriage return': 'ann\rx',
  'combining grapheme joiner': 'PC-1\u034f',
  'Hangul choseong filler': 'PC-1\u115f',
  'Hangul jungseong filler': 'PC-1\u1160',
  'Hangul filler': 'PC-1\u3164',
  'halfwidth Hangul filler': 'PC-1\uffa0',
  'variation selector 1': 'PC-1\ufe00',
  'variation selector 16': 'PC-1\ufe0f',
  'braille blank': 'PC-1\u2800',
  'Mongolian free variation selector': 'PC-1\u180b',
};

/** Spaces that look like the ASCII one: refused in names, allowed in prose. */
const LOOKALIKE_SPACES = { 'no-break space': 'CORP\\ann\u00a0lee', 'ideographic space': 'PC\u30001', 'thin space': 'PC\u20091' };

describe('safe text', () => {
  it.each(Object.entries(UNSAFE))('refuses a %s in every one-line text field', (_what, value) => {
    expect(isSafeText(value)).toBe(false);
    for (const schema of [OsUserSchema, ComputerNameSchema, CommentSchema]) expect(Value.Check(schema, value)).toBe(false);
  });

  it.each(Object.entries(LOOKALIKE_SPACES))('refuses a %s in names, not in a comment', (_what, value) => {
    for (const schema of [OsUserSchema, ComputerNameSchema, LoginNameSchema]) expect(Value.Check(schema, value)).toBe(false);
    expect(Value.Check(CommentSchema, value)).toBe(true);
    expect(Value.Check(OsUserSchema, value.replace(/\p{Zs}/u, ' '))).toBe(true);
  });

  it('folds names the way a reader tells them apart: NFKC and case', () => {
    expect(foldName('\uff30\uff23-\uff11')).toBe(foldName('pc-1'));
    expect(foldName('STRASSE-PC')).toBe(foldName('Straße-pc'));
    expect(foldName('PC-1')).not.toBe(foldName('PC-2'));
  });

  it('accepts what people really type: accents, other scripts, emoji pairs, CORP\\name, user@domain', () => {
    for (const value of ['CORP\\ann', 'ann@corp.example.com', 'Réception-PC', 'ПК-Бухгалтерия', '経理部-PC', 'Zoë 😀', 'O\u2019Brien']) {
      expect(Value.Check(OsUserSchema, value), value).toBe(true);
    }
  });

  it('lets a reason or comment span lines, and nothing else', () => {
    expect(Value.Check(CommentSchema, 'lost my phone\nplease call')).toBe(true);
    expect(Value.Check(OsUserSchema, 'CORP\\ann\nCORP\\bob')).toBe(false);
    expect(Value.Check(CommentSchema, 'lost\r\nphone')).toBe(false);
  });

  it('keeps the ASCII-only forms of email and login', () => {
    expect(Value.Check(EmailSchema, 'ann\u200b@corp.example.com')).toBe(false);
    expect(Value.Check(LoginNameSchema, 'admin\u200b')).toBe(false);
    expect(Value.Check(LoginNameSchema, 'admin')).toBe(true);
  });

  it('normalises only safe-text fields to NFC, leaving secrets as sent', () => {
    const body = { enrollmentKey: 'key-e\u0301', computerName: 'PC-Re\u0301ception' };
    normalizeSafeText(EnrollBodySchema, body);
    expect(body).toEqual({ enrollmentKey: 'key-e\u0301', computerName: 'PC-R\u00e9ception' });
  });

  it('normalises a union as the member the value fits, leaving the secrets of the other members alone', () => {
    const Body = Type.Union([
      Type.Object({ kind: Type.Literal('name'), value: OsUserSchema }, { additionalProperties: false }),
      Type.Object({ kind: Type.Literal('secret'), value: Type.String() }, { additionalProperties: false }),
    ]);
    expect(normalizeSafeText(Body, { kind: 'name', value: 'Zoe\u0308' })).toEqual({ kind: 'name', value: 'Zo\u00eb' });
    expect(normalizeSafeText(Body, { kind: 'secret', value: 'Zoe\u0308' })).toEqual({ kind: 'secret', value: 'Zoe\u0308' });
    expect(normalizeSafeText(Type.Union([OsUserSchema, Type.Null()]), 'Zoe\u0308')).toBe('Zo\u00eb');
    expect(
      normalizeSafeText(Type.Intersect([Type.Object({ a: OsUserSchema }), Type.Object({ b: Type.String() })]), {
        a: 'e\u0301',
        b: 'e\u0301',
      }),
    ).toEqual({
      a: '\u00e9',
      b: 'e\u0301',
    });
  });
});
