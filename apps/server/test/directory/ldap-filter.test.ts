import { describe, expect, it } from 'vitest';
import { escapeFilterValue, fillUserFilter, FilterSyntaxError, parseLdapFilter, type LdapFilter } from '../../src/directory/ldap-filter.js';

/** What goes on the wire: the BER encoding of the filter. */
function wire(filter: LdapFilter): Buffer {
  return (filter as unknown as { toBer(): { buffer: Buffer } }).toBer().buffer;
}

/** The BER of an equality match, built by hand: [3] { attr OCTET STRING, value OCTET STRING }. */
function equalityBer(attribute: string, value: Buffer): Buffer {
  const attr = Buffer.from(attribute, 'utf8');
  const body = Buffer.concat([Buffer.from([0x04, attr.length]), attr, Buffer.from([0x04, value.length]), value]);
  return Buffer.concat([Buffer.from([0xa3, body.length]), body]);
}

describe('escapeFilterValue (RFC 4515)', () => {
  it.each([
    ['*', '\\2a'],
    ['(', '\\28'],
    [')', '\\29'],
    ['\\', '\\5c'],
    ['\u0000', '\\00'],
  ])('escapes %j as %s', (input, escaped) => {
    expect(escapeFilterValue(input)).toBe(escaped);
  });

  it('leaves letters, digits and ordinary punctuation alone', () => {
    expect(escapeFilterValue('john.doe-1_x@example.com')).toBe('john.doe-1_x@example.com');
  });

  it('escapes control characters and DEL', () => {
    expect(escapeFilterValue('a\nb\u007f')).toBe('a\\0ab\\7f');
  });

  it('escapes non-ASCII characters as their UTF-8 bytes, astral ones included', () => {
    expect(escapeFilterValue('jürgen')).toBe('j\\c3\\bcrgen');
    expect(escapeFilterValue('李')).toBe('\\e6\\9d\\8e');
    expect(escapeFilterValue('😀')).toBe('\\f0\\9f\\98\\80');
  });

  it.each([['*)(uid=*'], ['admin)(|(uid=*'], ['*))(|(objectClass=*'], ['x\u0000)(uid=*'], ['\\2a']])(
    'leaves no filter syntax in the injection string %j',
    (input) => {
      const escaped = escapeFilterValue(input);
      expect(escaped).not.toMatch(/[*()]|\\(?![0-9a-f]{2})/);
      expect(escaped.includes('\u0000')).toBe(false);
    },
  );
});

describe('fillUserFilter and parseLdapFilter', () => {
  it('replaces every {user} with the escaped name', () => {
    expect(fillUserFilter('(|(uid={user})(cn={user}))', 'a*')).toBe('(|(uid=a\\2a)(cn=a\\2a))');
  });

  it.each([['*)(uid=*'], ['admin)(|(uid=*'], ['alice\u0000'], ['back\\slash'], ['paren(x)'], ['jürgen'], ['😀']])(
    'keeps the injection string %j one literal equality value on the wire',
    (name) => {
      const filter = parseLdapFilter(fillUserFilter('(uid={user})', name));
      expect(filter.type).toBe('EqualityFilter');
      expect(wire(filter).equals(equalityBer('uid', Buffer.from(name, 'utf8')))).toBe(true);
    },
  );

  it('decodes escapes written in the template itself to bytes', () => {
    const filter = parseLdapFilter('(cn=Smith\\2c John \\28IT\\29)');
    expect(wire(filter).equals(equalityBer('cn', Buffer.from('Smith, John (IT)')))).toBe(true);
  });

  it('parses the filters administrators write for Active Directory and OpenLDAP', () => {
    const adFilter = parseLdapFilter(
      '(&(objectCategory=person)(objectClass=user)(sAMAccountName=a)(!(userAccountControl:1.2.840.113556.1.4.803:=2))(memberOf:1.2.840.113556.1.4.1941:=CN=Staff,OU=Groups,DC=example,DC=com))',
    );
    expect(adFilter.type).toBe('AndFilter');
    expect((adFilter as unknown as { filters: LdapFilter[] }).filters.map((f) => f.type)).toEqual([
      'EqualityFilter',
      'EqualityFilter',
      'EqualityFilter',
      'NotFilter',
      'ExtensibleFilter',
    ]);
    const ldapFilter = parseLdapFilter(
      '(|(uid=a)(mail=a@*)(cn=*x*y)(description=*)(uidNumber>=1000)(uidNumber<=2000)(sn~=smith)(cn:dn:=people))',
    );
    expect((ldapFilter as unknown as { filters: LdapFilter[] }).filters.map((f) => f.type)).toEqual([
      'EqualityFilter',
      'SubstringFilter',
      'SubstringFilter',
      'PresenceFilter',
      'GreaterThanEqualsFilter',
      'LessThanEqualsFilter',
      'ApproximateFilter',
      'ExtensibleFilter',
    ]);
  });

  it.each([
    ['uid=alice', 'no parentheses'],
    ['(uid=alice', 'unclosed'],
    ['(uid=alice))', 'text after the end'],
    ['(uid=al(ice)', 'unescaped ( in a value'],
    ['(uid=a\\2)', 'short escape'],
    ['(uid=a\\zz)', 'non-hex escape'],
    ['(&)', 'empty and'],
    ['(=alice)', 'no attribute'],
    ['(u id=alice)', 'bad attribute name'],
    ['(uid)', 'no ='],
    ['(uid:x:y:=a)', 'bad extensible match'],
  ])('rejects %j (%s)', (text) => {
    expect(() => parseLdapFilter(text)).toThrow(FilterSyntaxError);
  });
});
