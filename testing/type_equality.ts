/**
 * Type-level checks for tests: `expectType<Equal<A, B>>()` compiles only when `A` and `B` are
 * the same type (checked by `deno check` and `deno test`; at run time it does nothing).
 *
 * @example
 * ```ts
 * import { type Equal, expectType } from "./type_equality.ts";
 * expectType<Equal<Awaited<Promise<number>>, number>>();
 * ```
 * @module
 */

/**
 * `true` when `A` and `B` are the same type, `false` otherwise (also for `any` against others).
 *
 * @example
 * ```ts
 * import type { Equal } from "./type_equality.ts";
 * const same: Equal<string, string> = true;
 * const different: Equal<string, "a"> = false;
 * console.assert(same && !different);
 * ```
 */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2)
  ? true
  : false;

/**
 * Compiles only when `T` is `true`: pass it an {@link Equal}.
 *
 * @example
 * ```ts
 * import { type Equal, expectType } from "./type_equality.ts";
 * console.assert(expectType<Equal<1 | 2, 2 | 1>>());
 * ```
 */
export function expectType<T extends true>(): T {
  return true as T;
}
