/**
 * The URL of an HTTP/1.1 request from its `Host` header and its request target, as `Deno.serve`
 * builds it: an origin-form target (`/path?query`) is always a path on the host, even one that
 * starts with `//`, and the host must be a host and port only. Used by the adapters that read
 * HTTP themselves (Node, Deno's own TCP).
 *
 * @example
 * ```ts
 * import { requestUrl } from "./request_url.ts";
 * console.assert(requestUrl("http", "app.local", "//other.example/a").href ===
 *   "http://app.local//other.example/a");
 * ```
 * @module
 */

/**
 * The request's URL on `scheme` (`http` or `https`) and `host` (the `Host` header). An
 * absolute-form target (`http://host/path`, as sent to proxies) is taken as it is.
 *
 * @throws {TypeError} when `host` is not a host with an optional port (empty, or with a path,
 *   query, fragment or user part, which would change the URL handlers see, or with whitespace
 *   or a control character) or the result is no valid URL: the request is a bad one (400).
 * @example
 * ```ts
 * import { requestUrl } from "./request_url.ts";
 * console.assert(requestUrl("https", "example.com:8443", "/x?y=1").href ===
 *   "https://example.com:8443/x?y=1");
 * let refused = false;
 * try {
 *   requestUrl("http", "example.com/admin", "/x");
 * } catch (error) {
 *   refused = error instanceof TypeError;
 * }
 * console.assert(refused);
 * ```
 */
export function requestUrl(scheme: string, host: string, target: string): URL {
  if (host === "" || /[/?#@\\\s\p{Cc}]/u.test(host)) {
    throw new TypeError(`not a host: ${JSON.stringify(host)}`);
  }
  const origin = new URL(`${scheme}://${host}`).origin;
  return target.startsWith("/") ? new URL(origin + target) : new URL(target, origin + "/");
}
