import { extname, resolve, sep } from 'node:path';

export const LOCK_SCHEME = 'latchkey';
export const LOCK_ORIGIN = `${LOCK_SCHEME}://lock`;
export const LOCK_URL = `${LOCK_ORIGIN}/index.html`;

/** The renderer's CSP, sent as a header with every file (the page also carries it in a meta tag). */
export const RENDERER_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
};

/**
 * Maps a latchkey://lock/... URL to a file inside the renderer folder, or undefined for anything
 * else (another host, `..` escapes, unknown file types, the preview page).
 */
export function rendererFileFor(requestUrl: string, rendererRoot: string): { path: string; type: string } | undefined {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== `${LOCK_SCHEME}:` || url.host !== 'lock') return undefined;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  if (pathname.includes('\0') || pathname.split('/').some((part) => part === '..' || part.startsWith('.'))) return undefined;
  if (pathname === '/preview.html' || pathname.includes('/preview-')) return undefined;
  const type = TYPES[extname(pathname).toLowerCase()];
  if (!type) return undefined;
  const root = resolve(rendererRoot);
  const path = resolve(root, `.${pathname}`);
  if (!path.startsWith(root + sep)) return undefined;
  return { path, type };
}
