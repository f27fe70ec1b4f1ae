import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '@latchkey/contracts';
import { scopeDraft, validateScope } from './who-must-unlock';

const draft = (over: Partial<ReturnType<typeof scopeDraft>> = {}) => ({ ...scopeDraft(DEFAULT_SETTINGS), ...over });

describe('the "Who must unlock, and when" fieldset', () => {
  it('sends every new setting, one entry a line, blanks and repeats dropped, DNs kept whole', () => {
    const { patch } = validateScope(
      draft({
        lockLocalLogons: false,
        exemptAccounts: 'CORP\\svc-backup\n\n  .\\breakglass  \nkiosk\nKIOSK',
        exemptDirectoryGroups: 'CN=Break Glass,OU=Groups,DC=corp,DC=example\nTier0',
        helpdeskContact: '  IT: 1234 ',
      }),
    );
    expect(patch).toEqual({
      lockLocalLogons: false,
      lockRemoteLogons: true,
      relockSendsToSessionEmail: true,
      exemptAccounts: ['CORP\\svc-backup', '.\\breakglass', 'kiosk'],
      exemptDirectoryGroups: ['CN=Break Glass,OU=Groups,DC=corp,DC=example', 'Tier0'],
      helpdeskContact: 'IT: 1234',
      lockTitle: '',
      lockMessage: '',
    });
  });

  it.each([
    [{ lockLocalLogons: false, lockRemoteLogons: false }, 'lockRemoteLogons'],
    [{ exemptAccounts: 'CORP\\a\\b' }, 'exemptAccounts'],
    [{ exemptAccounts: 'alice@corp.example.com' }, 'exemptAccounts'],
    [{ exemptAccounts: Array.from({ length: 201 }, (_, i) => `svc${i}`).join('\n') }, 'exemptAccounts'],
    [{ exemptDirectoryGroups: 'x'.repeat(513) }, 'exemptDirectoryGroups'],
    [{ helpdeskContact: 'x'.repeat(201) }, 'helpdeskContact'],
    [{ lockTitle: 'Hello\u200bWorld' }, 'lockTitle'],
    [{ lockMessage: 'x'.repeat(501) }, 'lockMessage'],
  ])('refuses %j with a message on %s, from the contract schemas', (over, field) => {
    const { errors, patch } = validateScope(draft(over));
    expect(patch).toBeUndefined();
    expect(Object.keys(errors)).toEqual([field]);
  });
});
