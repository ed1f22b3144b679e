// Test helper: port decorators for fault injection (the in-process stand-in for a fault
// proxy). Methods not overridden are the real adapter's, bound to it.
export function withOverrides<T extends object>(target: T, patch: Partial<{ [K in keyof T]: T[K] }>): T {
  return new Proxy(target, {
    get(t, p) {
      const v = p in patch ? (patch as Record<PropertyKey, unknown>)[p] : Reflect.get(t, p, t);
      return typeof v === 'function' && !(p in patch) ? (v as (...a: unknown[]) => unknown).bind(t) : v;
    },
  });
}
