/**
 * Drops the fields whose value is undefined, so optional properties stay absent (the
 * project compiles with exactOptionalPropertyTypes, where "absent" and "undefined" differ).
 */
export function withoutUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
