import { describe, expect, it } from 'vitest';
import { MachineConfigError, checkServerUrl, machineConfigPath, osUserName, parseMachineConfig } from '../../src/main/machine-config.js';

describe('machine configuration', () => {
  it('lives in ProgramData on Windows and at a configurable absolute path elsewhere', () => {
    expect(machineConfigPath('win32', { ProgramData: 'D:\\PD' })).toMatch(/D:\\PD[\\/]Latchkey[\\/]client\.json$/);
    expect(machineConfigPath('linux', { LATCHKEY_CLIENT_CONFIG: '/srv/latchkey.json' })).toBe('/srv/latchkey.json');
    expect(machineConfigPath('linux', {})).toBe('/etc/latchkey/client.json');
    expect(() => machineConfigPath('linux', { LATCHKEY_CLIENT_CONFIG: 'relative.json' })).toThrow(MachineConfigError);
  });

  it('requires HTTPS except for a server on this computer', () => {
    expect(checkServerUrl('https://latchkey.corp.example.com/')).toBe('https://latchkey.corp.example.com');
    expect(checkServerUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    expect(checkServerUrl('http://localhost:8080/')).toBe('http://localhost:8080');
    expect(checkServerUrl('http://[::1]:8080')).toBe('http://[::1]:8080');
    expect(() => checkServerUrl('http://latchkey.corp.example.com')).toThrow(/https/);
    expect(() => checkServerUrl('http://127.0.0.1.evil.example.com')).toThrow(/https/);
    expect(() => checkServerUrl('ftp://127.0.0.1')).toThrow(/https/);
    expect(() => checkServerUrl('https://user:pw@latchkey.example.com')).toThrow(/user name/);
    expect(() => checkServerUrl('not a url')).toThrow(/not a URL/);
  });

  it("parses the installer's file (BOM tolerated) and rejects unknown or missing settings", () => {
    const config = parseMachineConfig('\ufeff{"serverUrl":"https://lk.example.com","enrollmentKey":"0123456789abcdef"}');
    expect(config).toEqual({
      serverUrl: 'https://lk.example.com',
      serverUrls: ['https://lk.example.com'],
      enrollmentKey: '0123456789abcdef',
    });
    expect(
      parseMachineConfig('{"serverUrl":"https://lk.example.com","enrollmentKey":"0123456789abcdef","computerName":"PC-7"}').computerName,
    ).toBe('PC-7');
    expect(() => parseMachineConfig('{')).toThrow(/JSON/);
    expect(() => parseMachineConfig('[]')).toThrow(/object/);
    expect(() => parseMachineConfig('{"serverUrl":"https://lk.example.com"}')).toThrow(/enrollmentKey/);
    expect(() => parseMachineConfig('{"serverUrl":"https://lk.example.com","enrollmentKey":"short"}')).toThrow(/enrollmentKey/);
    expect(() => parseMachineConfig('{"serverUrl":"https://lk.example.com","enrollmentKey":"0123456789abcdef","proxy":"x"}')).toThrow(
      /proxy/,
    );
  });

  it('takes several servers (/SERVERURL=a;b), in order, each checked, none twice (issue 20)', () => {
    const config = (serverUrl: string) => parseMachineConfig(JSON.stringify({ serverUrl, enrollmentKey: '0123456789abcdef' }));
    expect(config('https://lk1.example.com/; https://lk2.example.com:8443/latchkey;')).toMatchObject({
      serverUrl: 'https://lk1.example.com',
      serverUrls: ['https://lk1.example.com', 'https://lk2.example.com:8443/latchkey'],
    });
    expect(config('https://lk.example.com').serverUrls).toEqual(['https://lk.example.com']);
    expect(() => config('https://lk1.example.com;http://lk2.example.com')).toThrow(/https:\/\/.*lk2/);
    expect(() => config('https://lk1.example.com;not a url')).toThrow(/not a URL/);
    expect(() => config(' ; ')).toThrow(/no server/);
    expect(() => config('https://lk.example.com;https://lk.example.com/')).toThrow(/twice/);
    expect(() => config(Array.from({ length: 9 }, (_, i) => `https://lk${i}.example.com`).join(';'))).toThrow(/more than 8/);
  });

  it('takes the pinned server key (/SERVERKEY=) only in the form the Management Tool shows', () => {
    const key = 'q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA';
    const base = '"serverUrl":"https://lk.example.com","enrollmentKey":"0123456789abcdef"';
    expect(parseMachineConfig(`{${base},"serverPublicKey":"${key}"}`).serverPublicKey).toBe(key);
    for (const bad of ['', 'short', `${key}=`, key.replace('q', '+'), `${key.slice(0, 42)}B`, 42]) {
      expect(() => parseMachineConfig(`{${base},"serverPublicKey":${JSON.stringify(bad)}}`)).toThrow(/serverPublicKey/);
    }
  });

  it('names the OS user as DOMAIN\\name on Windows', () => {
    expect(osUserName('win32', { USERDOMAIN: 'CORP' }, 'alice')).toBe('CORP\\alice');
    expect(osUserName('win32', {}, 'alice')).toBe('alice');
    expect(osUserName('linux', { USERDOMAIN: 'CORP' }, 'alice')).toBe('alice');
  });
});
