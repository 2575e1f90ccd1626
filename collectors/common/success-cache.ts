/**
 * A per-scan cache of answers shared by targets (role definitions, roles): the first caller's promise is shared, and
 * a failure is forgotten, so one target's denial or deadline never becomes another target's gap.
 */
export function successCache<T>(): (key: string, make: () => Promise<T>) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (key, make) => {
    let p = cache.get(key);
    if (!p) {
      p = make();
      cache.set(key, p);
      p.catch(() => cache.delete(key));
    }
    return p;
  };
}
