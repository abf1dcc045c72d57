/**
 * Work deferred from a cold start to its first use, done once. A Lambda's init pays for everything its modules
 * build at import, so what few calls need (a zod schema, an SDK client and its code) is built by the first call
 * that does.
 */

/** `make()` on first use; its value every time after. */
export const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= make());
};

/**
 * `load()` on first use, shared by concurrent callers. A failed load (a chunk not read) is tried again by the next
 * call rather than remembered. `loaded()` is the value once it is there.
 */
export const loadOnce = <T>(load: () => Promise<T>): { get: () => Promise<T>; loaded: () => T | undefined } => {
  let loading: Promise<T> | undefined;
  let value: T | undefined;
  return {
    get: () =>
      (loading ??= load().then(
        (loaded) => (value = loaded),
        (error: unknown) => {
          loading = undefined;
          throw error;
        },
      )),
    loaded: () => value,
  };
};
