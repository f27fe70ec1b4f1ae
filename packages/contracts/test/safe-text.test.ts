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
};

describe('safe text', () => {
  it.each(Object.entries(UNSAFE))('refuses a %s in every one-line text field', (_what, value) => {
    expect(isSafeText(value)).toBe(false);
    for (const schema of [OsUserSchema, ComputerNameSchema, CommentSchema]) expect(Value.Check(schema, value)).toBe(false);
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
