/**
 * The environment of a child process a test starts as a user would (a CLI, `npm start`), inheriting nothing (a
 * runtime started earlier in the test's process left its variables, simulator URLs, in process.env): `PATH`, the run's
 * compile cache (vitest.config.ts sets `NODE_COMPILE_CACHE`) so the child reuses the compiled dependencies and
 * type-stripped sources instead of compiling them again, and what the test sets. Neither changes what the child does.
 */
export const cleanChildEnv = (extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  ...(process.env.NODE_COMPILE_CACHE ? { NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE } : {}),
  ...extra,
});
