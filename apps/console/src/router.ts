import { useEffect, useState } from 'preact/hooks';

/** Client-side routes under the base the server serves the console at. */
export const BASE = import.meta.env.BASE_URL.replace(/\/$/, '');

export type PageId = 'requests' | 'generate' | 'sessions' | 'clients' | 'settings' | 'users' | 'audit' | 'offline';

export interface PageInfo {
  id: PageId;
  title: string;
  path: string;
  adminOnly: boolean;
}

export const PAGES: PageInfo[] = [
  { id: 'requests', title: 'Access Requests', path: '/requests', adminOnly: false },
  { id: 'generate', title: 'Generate Password', path: '/generate', adminOnly: false },
  { id: 'sessions', title: 'Client Sessions', path: '/sessions', adminOnly: false },
  { id: 'clients', title: 'Clients', path: '/clients', adminOnly: false },
  { id: 'offline', title: 'Offline Unlock', path: '/offline-unlock', adminOnly: false },
  { id: 'settings', title: 'Settings', path: '/settings', adminOnly: true },
  { id: 'users', title: 'Users', path: '/users', adminOnly: true },
  { id: 'audit', title: 'Audit', path: '/audit', adminOnly: false },
];

function currentPath(): string {
  const path = window.location.pathname;
  const inside = path.startsWith(BASE) ? path.slice(BASE.length) : path;
  return inside === '' ? '/' : inside;
}

export function navigate(path: string, replace = false): void {
  const url = BASE + path;
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function usePath(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const update = () => setPath(currentPath());
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return path;
}

/** Plain left clicks on our links change the page without a reload; anything else (new tab) is left alone. */
export function linkClick(event: MouseEvent, path: string): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(path);
}
