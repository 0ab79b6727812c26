/**
 * A peer's address as adapters report it in `connection.remoteAddress`: `host:port`, with an
 * IPv6 host in brackets as in URLs (`[::1]:57554`), so that the port is never mistaken for a
 * part of the address.
 *
 * @example
 * ```ts
 * import { hostPort } from "./host_port.ts";
 * console.assert(hostPort("::1", 57554) === "[::1]:57554");
 * ```
 * @module
 */

/**
 * Joins a host and a port; an IPv6 host goes in brackets.
 *
 * @example
 * ```ts
 * import { hostPort } from "./host_port.ts";
 * console.assert(hostPort("127.0.0.1", 8080) === "127.0.0.1:8080");
 * console.assert(hostPort("::ffff:127.0.0.1", 8080) === "[::ffff:127.0.0.1]:8080");
 * console.assert(hostPort("[::1]", 8080) === "[::1]:8080"); // brackets given: kept, not doubled
 * ```
 */
export function hostPort(host: string, port: number | string | undefined): string {
  const needsBrackets = host.includes(":") && !host.startsWith("[");
  return `${needsBrackets ? `[${host}]` : host}:${port ?? ""}`;
}

/**
 * `host` without the brackets of a URL's IPv6 host (`[::1]` becomes `::1`), as the runtimes'
 * listen calls want it (Node's looks `[::1]` up as a name and fails).
 *
 * @example
 * ```ts
 * import { unbracketed } from "./host_port.ts";
 * console.assert(unbracketed("[::1]") === "::1");
 * console.assert(unbracketed("127.0.0.1") === "127.0.0.1");
 * ```
 */
export function unbracketed(host: string): string {
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}
