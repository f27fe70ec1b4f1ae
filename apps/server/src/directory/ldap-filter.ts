import ldap from 'ldapjs';

/** What the configured filter template must contain: the name part of osUser goes there. */
export const USER_PLACEHOLDER = '{user}';

/**
 * RFC 4515 escaping of an assertion value: `*`, `(`, `)`, `\` and NUL always; every other byte
 * outside printable ASCII too (as its UTF-8 bytes), which RFC 4515 allows and which keeps control
 * characters and non-ASCII names from reaching the server in any other form.
 */
export function escapeFilterValue(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const special = byte === 0x2a || byte === 0x28 || byte === 0x29 || byte === 0x5c;
    out += special || byte < 0x20 || byte > 0x7e ? `\\${byte.toString(16).padStart(2, '0')}` : String.fromCharCode(byte);
  }
  return out;
}

/** The template with every `{user}` replaced by the escaped name. */
export function fillUserFilter(template: string, user: string): string {
  return template.split(USER_PLACEHOLDER).join(escapeFilterValue(user));
}

export class FilterSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterSyntaxError';
  }
}

export type LdapFilter = ReturnType<typeof ldap.parseFilter>;

/**
 * Parses an RFC 4515 filter string into ldapjs filter objects.
 *
 * ldapjs@3's own parser keeps `\2a`-style escapes as literal text on the wire, so an escaped
 * `(` would be searched for as the three characters `\28` and a non-ASCII name would never match.
 * This parser decodes escapes to bytes, so escaped values match literally, as RFC 4515 means.
 */
export function parseLdapFilter(text: string): LdapFilter {
  const parser = new FilterParser(text);
  const filter = parser.filter();
  if (parser.pos !== text.length) throw new FilterSyntaxError(`unexpected text at position ${parser.pos}`);
  return filter;
}

// RFC 4512 attribute descriptions: a name or an OID, with options (`;lang-en`).
const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)*)(?:;[A-Za-z0-9-]+)*$/;
const OID_OR_NAME = /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)*)$/;

class FilterParser {
  pos = 0;
  constructor(private readonly text: string) {}

  filter(): LdapFilter {
    this.expect('(');
    const c = this.text[this.pos];
    let result: LdapFilter;
    if (c === '&' || c === '|') {
      this.pos += 1;
      const filters: LdapFilter[] = [];
      while (this.text[this.pos] === '(') filters.push(this.filter());
      if (filters.length === 0) throw new FilterSyntaxError(`empty "${c}" at position ${this.pos}`);
      result = c === '&' ? new ldap.AndFilter({ filters }) : new ldap.OrFilter({ filters });
    } else if (c === '!') {
      this.pos += 1;
      result = new ldap.NotFilter({ filter: this.filter() });
    } else {
      result = this.item();
    }
    this.expect(')');
    return result;
  }

  private item(): LdapFilter {
    const start = this.pos;
    const end = this.findItemEnd();
    const raw = this.text.slice(start, end);
    this.pos = end;
    const eq = raw.indexOf('=');
    if (eq <= 0) throw new FilterSyntaxError(`missing "=" at position ${start}`);
    const before = raw[eq - 1];
    const value = raw.slice(eq + 1);
    if (before === ':') return this.extensible(raw.slice(0, eq - 1), value, start);
    if (before === '~' || before === '>' || before === '<') {
      const attribute = this.attribute(raw.slice(0, eq - 1), start);
      const decoded = unescapeValue(value, start).toString('utf8');
      if (before === '~') return new ldap.ApproximateFilter({ attribute, value: decoded });
      if (before === '>') return new ldap.GreaterThanEqualsFilter({ attribute, value: decoded });
      return new ldap.LessThanEqualsFilter({ attribute, value: decoded });
    }
    const attribute = this.attribute(raw.slice(0, eq), start);
    if (value === '*') return new ldap.PresenceFilter({ attribute });
    if (value.includes('*')) {
      const parts = value.split('*').map((part) => unescapeValue(part, start).toString('utf8'));
      const initial = parts.shift() ?? '';
      const final = parts.pop() ?? '';
      return new ldap.SubstringFilter({ attribute, initial, any: parts.filter((p) => p !== ''), final });
    }
    // Equality gets the exact bytes, so a value is compared as the directory stores it.
    return new ldap.EqualityFilter({ attribute, value: unescapeValue(value, start) });
  }

  private extensible(left: string, value: string, at: number): LdapFilter {
    // attr [":dn"] [":" rule] ":=" value  /  [":dn"] ":" rule ":=" value
    const parts = left.split(':');
    const attribute = parts.shift() ?? '';
    let dnAttributes = false;
    if (parts[0]?.toLowerCase() === 'dn') {
      dnAttributes = true;
      parts.shift();
    }
    const rule = parts.shift();
    if (parts.length > 0 || (rule !== undefined && !OID_OR_NAME.test(rule)) || (attribute === '' && rule === undefined)) {
      throw new FilterSyntaxError(`bad extensible match at position ${at}`);
    }
    if (attribute !== '') this.attribute(attribute, at);
    const options: ConstructorParameters<typeof ldap.ExtensibleFilter>[0] = {
      value: unescapeValue(value, at).toString('utf8'),
      dnAttributes,
    };
    if (attribute !== '') options.matchType = attribute;
    if (rule !== undefined) options.rule = rule;
    return new ldap.ExtensibleFilter(options);
  }

  private attribute(name: string, at: number): string {
    if (!ATTRIBUTE.test(name)) throw new FilterSyntaxError(`bad attribute "${name}" at position ${at}`);
    return name;
  }

  /** An item ends at the first unescaped ")"; "(" inside one is an error (it must be escaped). */
  private findItemEnd(): number {
    for (let i = this.pos; i < this.text.length; i += 1) {
      const ch = this.text[i];
      if (ch === ')') return i;
      if (ch === '(') throw new FilterSyntaxError(`unescaped "(" at position ${i}`);
    }
    throw new FilterSyntaxError('missing ")"');
  }

  private expect(ch: string): void {
    if (this.text[this.pos] !== ch) throw new FilterSyntaxError(`expected "${ch}" at position ${this.pos}`);
    this.pos += 1;
  }
}

/** `\XX` pairs to bytes; any other text as UTF-8. A lone or malformed `\` is an error. */
function unescapeValue(value: string, at: number): Buffer {
  if (value.includes('\u0000')) throw new FilterSyntaxError(`unescaped NUL at position ${at}`);
  const chunks: Buffer[] = [];
  let i = 0;
  while (i < value.length) {
    const escape = value.indexOf('\\', i);
    chunks.push(Buffer.from(value.slice(i, escape === -1 ? value.length : escape), 'utf8'));
    if (escape === -1) break;
    const hex = value.slice(escape + 1, escape + 3);
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new FilterSyntaxError(`bad escape at position ${at}`);
    chunks.push(Buffer.from([parseInt(hex, 16)]));
    i = escape + 3;
  }
  return Buffer.concat(chunks);
}
