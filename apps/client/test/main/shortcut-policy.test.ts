import { describe, expect, it } from 'vitest';
import { shouldSwallowKey, type KeyInput } from '../../src/main/shortcut-policy.js';

const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({
  type: 'keyDown',
  key: k,
  alt: false,
  control: false,
  meta: false,
  shift: false,
  ...mods,
});

describe('shortcut policy', () => {
  it.each([
    ['Alt+F4', key('F4', { alt: true })],
    ['Ctrl+W', key('w', { control: true })],
    ['Ctrl+R', key('r', { control: true })],
    ['F5', key('F5')],
    ['F11', key('F11')],
    ['F12', key('F12')],
    ['Ctrl+Shift+I', key('I', { control: true, shift: true })],
    ['Ctrl+P', key('p', { control: true })],
    ['Ctrl+N', key('n', { control: true })],
    ['Alt+Left (back)', key('ArrowLeft', { alt: true })],
    ['Alt alone (menu)', key('Alt', { alt: true })],
    ['the Windows key', key('Meta', { meta: true })],
    ['Win+D', key('d', { meta: true })],
    ['BrowserBack', key('BrowserBack')],
    ['ContextMenu', key('ContextMenu')],
    ['Ctrl+plus (zoom)', key('+', { control: true })],
  ])('swallows %s', (_name, input) => {
    expect(shouldSwallowKey(input)).toBe(true);
  });

  it.each([
    ['a letter', key('a')],
    ['a capital', key('A', { shift: true })],
    ['a digit', key('7')],
    ['@ with Shift', key('@', { shift: true })],
    ['@ with AltGr (Ctrl+Alt)', key('@', { control: true, alt: true })],
    ['a non-Latin letter', key('ж')],
    ['Tab', key('Tab')],
    ['Shift+Tab', key('Tab', { shift: true })],
    ['Enter', key('Enter')],
    ['Space', key(' ')],
    ['Escape', key('Escape')],
    ['Backspace', key('Backspace')],
    ['arrows', key('ArrowLeft')],
    ['Ctrl+V (paste the code)', key('v', { control: true })],
    ['Ctrl+A', key('a', { control: true })],
    ['Ctrl+Shift+Z', key('Z', { control: true, shift: true })],
  ])('lets %s through', (_name, input) => {
    expect(shouldSwallowKey(input)).toBe(false);
  });

  it('ignores key-up events', () => {
    expect(shouldSwallowKey({ ...key('F4', { alt: true }), type: 'keyUp' })).toBe(false);
  });
});
