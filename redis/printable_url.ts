/**
 * A Redis URL as it may be logged or printed: without its password.
 *
 * @example
 * ```ts
 * import { printableRedisUrl } from "./printable_url.ts";
 * console.assert(printableRedisUrl("redis://:s3cret@10.0.0.5") === "redis://:***@10.0.0.5");
 * ```
 * @module
 */

/**
 * `url` with its password, if any, replaced by `***`; a string that is not a URL loses
 * everything between `//` and `@` instead.
 *
 * @example
 * ```ts
 * import { printableRedisUrl } from "./printable_url.ts";
 * const url = printableRedisUrl("redis://app:s3cret@10.0.0.5:6379/0");
 * console.assert(url === "redis://app:***@10.0.0.5:6379/0");
 * console.assert(printableRedisUrl("redis://127.0.0.1:6379") === "redis://127.0.0.1:6379");
 * ```
 */
export function printableRedisUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/]*@/, "//***@");
  }
  if (parsed.password === "") return url;
  parsed.password = "***";
  return parsed.href;
}
