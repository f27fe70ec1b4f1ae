import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { EmailSchema, isValidEmail } from '../src/index.js';

describe('email addresses', () => {
  it.each(['alice@corp.example.com', 'a.b+tag@x.io', "o'neil@corp.example.com", 'ALICE@CORP.EXAMPLE.COM'])('accepts %s', (email) => {
    expect(isValidEmail(email)).toBe(true);
    expect(Value.Check(EmailSchema, email)).toBe(true);
  });

  it.each([
    ['two addresses', 'a@x.com,b@y.com'],
    ['a list with a space', 'a@x.com b@y.com'],
    ['a CR/LF header injection', 'a@x.com\r\nBcc: evil@y.com'],
    ['a bare LF', 'a@x.com\nb@y.com'],
    ['a display name', 'Alice <alice@x.com>'],
    ['a comment', 'alice(comment)@x.com'],
    ['a quoted local part', '"alice smith"@x.com'],
    ['no host dot', 'alice@localhost'],
    ['a leading dot', '.alice@x.com'],
    ['two dots', 'al..ice@x.com'],
    ['no local part', '@x.com'],
    ['an empty string', ''],
    ['an over-long address', `${'a'.repeat(64)}@${'b'.repeat(190)}.com`],
  ])('rejects %s', (_why, email) => {
    expect(isValidEmail(email)).toBe(false);
    expect(Value.Check(EmailSchema, email)).toBe(false);
  });
});
