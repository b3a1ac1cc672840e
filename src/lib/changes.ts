// Partial updates: which of the given fields really change, and the `set` for the UPDATE.

/** The keys whose new value is given (not undefined) and differs from the current one. */
export function changedFields<T extends object, K extends keyof T>(
  current: T,
  next: { [P in K]?: T[P] | undefined },
  keys: readonly K[],
): { changed: K[]; set: Partial<Pick<T, K>> } {
  const changed = keys.filter((k) => next[k] !== undefined && next[k] !== current[k]);
  const set = Object.fromEntries(changed.map((k) => [k, next[k]])) as Partial<Pick<T, K>>;
  return { changed, set };
}
