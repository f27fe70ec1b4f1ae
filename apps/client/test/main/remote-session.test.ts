import { describe, expect, it } from 'vitest';
import { parseQwinsta, remoteTransition } from '../../src/main/remote-session.js';

const console_ = ` SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE
 services                                    0  Disc
>console           frank                     1  Active
 rdp-tcp                                 65536  Listen
`;
const rdp = ` SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE
 services                                    0  Disc
>rdp-tcp#3         frank                     2  Active
 console                                     1  Conn
`;
const disconnected = ` SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE
>                  frank                     2  Disc
`;

describe('remote session state from qwinsta', () => {
  it('reads this session (the > line): console, RDP or disconnected', () => {
    expect(parseQwinsta(console_)).toBe('local');
    expect(parseQwinsta(rdp.replace(/\n/g, '\r\n'))).toBe('remote');
    expect(parseQwinsta(disconnected)).toBe('disconnected');
    expect(parseQwinsta('No session exists for *')).toBeUndefined();
  });

  it('turns changes into remote connect and disconnect events', () => {
    expect(remoteTransition('local', 'remote')).toBe('remote.connected');
    expect(remoteTransition('disconnected', 'remote')).toBe('remote.connected');
    expect(remoteTransition('remote', 'disconnected')).toBe('remote.disconnected');
    expect(remoteTransition('remote', 'local')).toBe('remote.disconnected');
    expect(remoteTransition('remote', 'remote')).toBeUndefined();
    expect(remoteTransition(undefined, 'remote')).toBeUndefined();
    expect(remoteTransition('local', 'disconnected')).toBeUndefined();
  });
});
