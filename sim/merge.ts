export type PlainObject = Record<string, unknown>;

export function isPlainObject(v: unknown): v is PlainObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Date) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Merges `override` over `base`, the way a fleet spec layers a cluster over its defaults:
 * objects merge key by key, arrays and scalars replace, `undefined` keeps the base value and
 * `null` removes the key (so a cluster can drop a default `encryptionConfig`).
 * Neither input is modified; the result shares no objects or arrays with them.
 */
export function deepMerge<T extends PlainObject>(base: T | undefined, override: PlainObject | undefined): T {
  const out: PlainObject = {};
  for (const [k, v] of Object.entries(base ?? {})) if (v !== null && v !== undefined) out[k] = clone(v);
  for (const [k, v] of Object.entries(override ?? {})) {
    if (v === undefined) continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    const current = out[k];
    out[k] = isPlainObject(v) && isPlainObject(current) ? deepMerge(current, v) : clone(v);
  }
  return out as T;
}

function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (v instanceof Date) return new Date(v.getTime());
  if (isPlainObject(v)) {
    const out: PlainObject = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = clone(x);
    return out;
  }
  return v;
}
