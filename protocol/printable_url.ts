/**
 * A URL (of Redis, say) as it may be logged or printed: without its password.
 *
 * @example
 * ```ts
 * import { printableUrl } from "./printable_url.ts";
 * console.assert(printableUrl("redis://:s3cret@10.0.0.5") === "redis://:***@10.0.0.5");
 * ```
 * @module
 */

/**
 * `url` with its password, if any (also a `password` query parameter), replaced by `***`; a
 * string that is not a URL loses everything between `//` and `@` instead.
 *
 * @example
 * ```ts
 * import { printableUrl } from "./printable_url.ts";
 * const url = printableUrl("redis://app:s3cret@10.0.0.5:6379/0");
 * console.assert(url === "redis://app:***@10.0.0.5:6379/0");
 * console.assert(printableUrl("redis://127.0.0.1:6379") === "redis://127.0.0.1:6379");
 * console.assert(!printableUrl("redis://10.0.0.5/0?password=s3cret").includes("s3cret"));
 * ```
 */
export function printableUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/[^/]*@/, "//***@");
  }
  const inQuery = parsed.searchParams.has("password");
  if (parsed.password === "" && !inQuery) return url;
  if (parsed.password !== "") parsed.password = "***";
  // ioredis also takes it as a query parameter.
  if (inQuery) parsed.searchParams.set("password", "***");
  return parsed.href;
}
