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
 * ```
 */
export function hostPort(host: string, port: number | string | undefined): string {
  return `${host.includes(":") ? `[${host}]` : host}:${port ?? ""}`;
}
