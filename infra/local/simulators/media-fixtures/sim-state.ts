/**
 * Per-simulator state for media routes that keep some (async tasks awaiting their polls). Keyed by the
 * server's own `ImageFiles` instance, which every route receives and which lives exactly as long as the server.
 */
const states = new WeakMap<object, Map<string, unknown>>();

export const simState = <T>(owner: object, name: string, create: () => T): T => {
  let byName = states.get(owner);
  if (!byName) states.set(owner, (byName = new Map()));
  if (!byName.has(name)) byName.set(name, create());
  return byName.get(name) as T;
};
