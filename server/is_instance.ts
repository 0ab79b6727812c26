/**
 * `instanceof` for anything a handler may throw: a revoked `Proxy` throws when asked.
 *
 * @example
 * ```ts
 * import { isInstance } from "./is_instance.ts";
 * console.assert(isInstance(new RangeError("x"), Error));
 * ```
 * @module
 */

/**
 * `value instanceof type`, and `false` for a value that cannot be asked: a handler may throw
 * anything, a revoked `Proxy` too, whose `instanceof` throws in its turn.
 *
 * @example
 * ```ts
 * import { isInstance } from "./is_instance.ts";
 * const { proxy, revoke } = Proxy.revocable({}, {});
 * revoke();
 * console.assert(isInstance(new TypeError("x"), Error) && !isInstance(proxy, Error));
 * ```
 */
export function isInstance<T>(
  value: unknown,
  type: abstract new (...args: never[]) => T,
): value is T {
  try {
    return value instanceof type;
  } catch {
    return false;
  }
}
