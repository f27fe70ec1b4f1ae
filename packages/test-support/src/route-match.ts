import type { RouteDescriptor } from '@latchkey/contracts';

/**
 * The path parameters when `method` and `url` (a path, its query ignored) are a call of `route`,
 * undefined when they are not: for stubs and proxies that answer or watch calls by their descriptor.
 */
export function matchRoute(
  route: Pick<RouteDescriptor, 'method' | 'url'>,
  method: string | undefined,
  url: string | undefined,
): Record<string, string> | undefined {
  if (method !== route.method || url === undefined) return undefined;
  const pattern = new RegExp(`^${route.url.replace(/:(\w+)/g, '(?<$1>[^/]+)')}$`);
  const match = pattern.exec(new URL(url, 'http://127.0.0.1').pathname);
  return match ? { ...match.groups } : undefined;
}
