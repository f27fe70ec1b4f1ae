import { describe, expect, it } from 'vitest';
import { RENDERER_CSP, rendererFileFor } from '../../src/main/renderer-files.js';

const root = '/app/dist/renderer';

describe('renderer files over latchkey://lock/', () => {
  it('maps the page and its assets into the renderer folder', () => {
    expect(rendererFileFor('latchkey://lock/index.html', root)).toEqual({
      path: '/app/dist/renderer/index.html',
      type: 'text/html; charset=utf-8',
    });
    expect(rendererFileFor('latchkey://lock/', root)?.path).toBe('/app/dist/renderer/index.html');
    expect(rendererFileFor('latchkey://lock/assets/lock-view-abc.js', root)?.type).toBe('text/javascript; charset=utf-8');
  });

  it('keeps dot segments that the URL parser resolves inside the folder', () => {
    expect(rendererFileFor('latchkey://lock/../../main/main.js', root)?.path).toBe('/app/dist/renderer/main/main.js');
  });

  it('refuses escapes, other hosts, dotfiles, unknown types and the preview page', () => {
    for (const url of [
      'latchkey://lock/a%2F..%2F..%2F..%2Fetc%2Fpasswd.html',
      'latchkey://other/index.html',
      'https://lock/index.html',
      'latchkey://lock/.env.js',
      'latchkey://lock/assets/x.exe',
      'latchkey://lock/preview.html',
      'latchkey://lock/assets/preview-abc.js',
      'latchkey://lock/a%00.js',
    ]) {
      expect(rendererFileFor(url, root), url).toBeUndefined();
    }
  });

  it('sends a CSP without inline script or any network access', () => {
    expect(RENDERER_CSP).toContain("script-src 'self'");
    expect(RENDERER_CSP).toContain("connect-src 'none'");
    expect(RENDERER_CSP).not.toContain('unsafe');
  });
});
