/**
 * Memoizes a pure function of one string (or number): a fleet repeats the same versions, dates and ARNs in every
 * snapshot, and evaluation re-parsed them per check and per comparison. Bounded: past `limit` entries the cache
 * starts over, so memory stays flat whatever the input. Callers must treat results as read-only (they are shared).
 */
export function memoize<K extends string | number, V>(fn: (key: K) => V, limit = 10_000): (key: K) => V {
  const cache = new Map<K, V>();
  return (key: K): V => {
    const hit = cache.get(key);
    if (hit !== undefined || cache.has(key)) return hit as V;
    const value = fn(key);
    if (cache.size >= limit) cache.clear();
    cache.set(key, value);
    return value;
  };
}

/**
 * Memoizes a pure function of one object that evaluation does not change (a snapshot, a trust policy document):
 * several checks ask the same question of it. Held weakly, so entries go with the object.
 */
export function memoizeByObject<K extends object, V>(fn: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key: K): V => {
    if (cache.has(key)) return cache.get(key) as V;
    const value = fn(key);
    cache.set(key, value);
    return value;
  };
}

/**
 * Orders version texts numerically (`1.9` before `1.10`), exactly as `a.localeCompare(b, undefined, { numeric: true })`
 * does, with one collator instead of one per comparison (which is what made that call slow).
 */
export const compareNumeric: (a: string, b: string) => number = new Intl.Collator(undefined, { numeric: true }).compare;
