import { describe, expect, it } from 'vitest';
import { osUserWarning } from './os-user-hint';

const seen = [
  { osUser: 'CORP\\frank', lastSeenAt: 2 },
  { osUser: 'CORP\\grace', lastSeenAt: 1 },
];

describe('Generate Password: the user name warning', () => {
  it('names the account the computer reports when the typed name lacks its domain', () => {
    expect(osUserWarning('frank', seen)).toContain('reports this user as CORP\\frank');
    expect(osUserWarning('Frank ', seen)).toContain('“Frank” will not match');
  });
  it('warns with an example when the name is unknown, and in general when nothing was seen', () => {
    expect(osUserWarning('henry', seen)).toContain('like CORP\\frank');
    expect(osUserWarning('henry', [])).toContain('has no domain');
  });
  it('says nothing for a name with a domain, or an empty field', () => {
    expect(osUserWarning('CORP\\frank', seen)).toBeUndefined();
    expect(osUserWarning('frank@corp.example.com', seen)).toBeUndefined();
    expect(osUserWarning('  ', seen)).toBeUndefined();
  });
});
