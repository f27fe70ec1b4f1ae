import type { Engine, Work } from './engine.js';

/** A store's or service's methods as callers outside a transaction see them: each a promise. */
export type Bound<S> = {
  [K in keyof S]: S[K] extends (...args: infer A) => Work<infer R> ? (...args: A) => Promise<R> : S[K];
};

/**
 * Each work method of `store` run by `engine`: as one atomic write, or, for the methods named in
 * `reads`, as a read (no transaction to wait for: on SQLite it answers at once, outside the group
 * commit). Anything else (plain functions, values) is passed on as it is: a work method is written
 * `*name() { … }`.
 *
 * Services compose the stores' work inside one `engine.write`; routes and plugins call bound methods.
 */
export function bind<S extends object, R extends keyof S = never>(engine: Engine, store: S, reads: readonly R[] = []): Bound<S> {
  const bound: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(store)) {
    if (typeof value !== 'function' || !isWorkMethod(value)) {
      bound[name] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => Work<unknown>;
    bound[name] = (reads as readonly PropertyKey[]).includes(name)
      ? (...args: unknown[]) => engine.read(() => method(...args))
      : (...args: unknown[]) => engine.write(() => method(...args));
  }
  return bound as Bound<S>;
}

const GeneratorFunction = Object.getPrototypeOf(function* () {}).constructor as unknown;
const isWorkMethod = (value: unknown) => value instanceof (GeneratorFunction as typeof Function);
