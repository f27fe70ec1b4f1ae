import { describe, expect, it } from 'vitest';
import { osUserName } from '../../src/directory/os-user.js';

describe('osUserName', () => {
  it.each([
    ['CONTOSO\\jdoe', 'jdoe'],
    ['jdoe', 'jdoe'],
    ['jdoe@contoso.com', 'jdoe'],
    ['jdoe@sub.contoso.com', 'jdoe'],
    ['.\\localadmin', 'localadmin'],
    ['PC-01\\Jürgen', 'Jürgen'],
  ])('takes the name part of %j', (osUser, name) => {
    expect(osUserName(osUser)).toBe(name);
  });

  it('splits DOMAIN\\name at the first backslash only, keeping the rest of the name whole', () => {
    expect(osUserName('CONTOSO\\back\\slash')).toBe('back\\slash');
    expect(osUserName('CONTOSO\\a@b')).toBe('a@b');
  });

  it('splits a UPN at the last @', () => {
    expect(osUserName('first@last@contoso.com')).toBe('first@last');
  });

  it('answers an empty name when there is none', () => {
    expect(osUserName('CONTOSO\\')).toBe('');
    expect(osUserName('@contoso.com')).toBe('');
    expect(osUserName('')).toBe('');
  });
});
