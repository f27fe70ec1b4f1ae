import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FuseV1Options } from '@electron/fuses';
import { xdgAutostartEntry } from '../../src/main/autostart.js';
import { GUARD_TASK_NAME } from '../../src/main/guard-task-xml.js';
import { TASK_NAME } from '../../src/main/task-xml.js';

// A path in a variable: the hook is plain JavaScript without type declarations.
const FUSES_MODULE = '../../build/fuses.mjs';
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('packaging', () => {
  it('turns off RunAsNode, NODE_OPTIONS and the inspector', async () => {
    const { lockFuses } = (await import(FUSES_MODULE)) as { lockFuses: (o: typeof FuseV1Options) => Record<number, boolean> };
    const fuses = lockFuses(FuseV1Options);
    expect(fuses[FuseV1Options.RunAsNode]).toBe(false);
    expect(fuses[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
    expect(fuses[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false);
    expect(fuses[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
  });

  it('the deb post-install writes the same autostart entry as the generator', () => {
    const script = read('build/linux-after-install.sh');
    const body = /<<'DESKTOP'\n([\s\S]*?)DESKTOP\n/.exec(script)?.[1];
    expect(body).toBe(xdgAutostartEntry({ exec: '/opt/Latchkey/latchkey' }));
  });

  it('the NSIS include registers the logon task on install and deletes it on uninstall', () => {
    const nsh = read('build/installer.nsh');
    const install = /!macro customInstall([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    const uninstall = /!macro customUnInstall([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    // installer-steps.ts registers both tasks (installer-steps.test.ts); NSIS runs it and stops on failure.
    expect(install).toContain('--install-machine');
    expect(uninstall).toContain(`schtasks.exe /Delete /F /TN "${TASK_NAME}"`);
  });

  it('the NSIS include registers and starts the SYSTEM guard task, and ends and deletes it on uninstall', () => {
    const nsh = read('build/installer.nsh');
    const install = /!macro customInstall([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    const uninstall = /!macro customUnInstall([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    expect(install).toContain('--install-machine');
    expect(uninstall).toContain(`schtasks.exe /End /TN "${GUARD_TASK_NAME}"`);
    expect(uninstall).toContain(`schtasks.exe /Delete /F /TN "${GUARD_TASK_NAME}"`);
  });

  it('the NSIS include pins the server key from /SERVERKEY= in the machine configuration', () => {
    const nsh = read('build/installer.nsh');
    expect(nsh).toContain('${GetOptions} $R0 "/SERVERKEY=" $R5');
    // /SERVERURL=a;b (several nodes, issue 20), /SERVER= the older name: written as they are, parsed by machine-config.ts.
    expect(nsh).toContain('${GetOptions} $R0 "/SERVERURL=" $R1');
    expect(nsh).toContain('${GetOptions} $R0 "/SERVER=" $R1');
    expect(nsh).toContain(`StrCpy $R6 ',"serverPublicKey":"$R5"'`);
    expect(nsh).toContain(`FileWrite $R4 '{"serverUrl":"$R1","enrollmentKey":"$R2"$R6}`);
  });

  it('electron-builder builds per-machine NSIS, AppImage and deb, with asar and the fuses hook', () => {
    const yml = readFileSync(new URL('../../../../electron-builder.yml', import.meta.url), 'utf8');
    expect(yml).toMatch(/^asar: true$/m);
    expect(yml).toMatch(/^ {2}perMachine: true$/m);
    expect(yml).toMatch(/target: AppImage/);
    expect(yml).toMatch(/target: deb/);
    expect(yml).toMatch(/^afterPack: apps\/client\/build\/after-pack.mjs$/m);
    expect(yml).toMatch(/include: apps\/client\/build\/installer.nsh/);
  });
});
