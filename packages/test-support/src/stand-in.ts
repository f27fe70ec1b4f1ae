/**
 * One object that always stands for the current instance of something a test may swap: every member
 * is read from `now()`, and `restart()` replaces the instance (through `swap`) and answers the stand-in
 * again. `more` adds members of the stand-in's own. Used by `useServerProcess`, and fit for
 * `useTestApp` in the server's test helper, which does the same.
 */
export function standIn<T extends { restart(): Promise<T> }, More extends object = object>(
  now: () => T,
  swap: (next: T) => void,
  more: { [K in keyof More]: () => More[K] } = {} as { [K in keyof More]: () => More[K] },
): T & More {
  const self = new Proxy({} as T & More, {
    get(_, key: string | symbol) {
      // Not a thenable: `return server` from an async function must not look for its then.
      if (key === 'then') return undefined;
      if (key in more) return more[key as keyof More]();
      if (key === 'restart')
        return async () => {
          swap(await now().restart());
          return self;
        };
      return now()[key as keyof T];
    },
  });
  return self;
}
