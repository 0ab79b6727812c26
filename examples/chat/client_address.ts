/**
 * What the chat's login limit counts by: the client's address without its port, and for IPv6
 * its /64 network, since one subscriber commonly has a whole /64 and could pick a new address
 * for every login.
 *
 * Behind a reverse proxy every connection comes from the proxy's address, so all users share
 * one limit: take the client's address from the proxy's header (`X-Forwarded-For`, as your
 * proxy sets it) instead, or raise the limit.
 *
 * @example
 * ```ts
 * import { clientAddress } from "./client_address.ts";
 * console.assert(clientAddress("203.0.113.7:50123") === "203.0.113.7");
 * console.assert(clientAddress("[2001:db8:1:2:3:4:5:6]:443") === "2001:db8:1:2::/64");
 * console.assert(clientAddress("") === null);
 * ```
 * @module
 */

/**
 * The address to count logins by, from a `connection.remoteAddress` (`host:port`, an IPv6 host
 * in brackets), or `null` when the runtime gave none.
 *
 * @example
 * ```ts
 * import { clientAddress } from "./client_address.ts";
 * console.assert(clientAddress("[::ffff:192.0.2.1]:8080") === "192.0.2.1");
 * console.assert(clientAddress("[::1]:8080") === "0:0:0:0::/64");
 * ```
 */
export function clientAddress(remoteAddress: string): string | null {
  const ipv6 = /^\[(.*)\]:\d*$/.exec(remoteAddress);
  if (ipv6 === null) {
    const host = remoteAddress.replace(/:\d*$/, "");
    return host === "" ? null : host;
  }
  const host = ipv6[1].toLowerCase().replace(/%.*$/, ""); // without a zone (`%eth0`)
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  if (mapped !== null) return mapped[1];
  const [head, tail] = host.split("::");
  const first = head === "" ? [] : head.split(":");
  const rest = tail === undefined || tail === "" ? [] : tail.split(":");
  // "::" stands for as many zero groups as the address lacks; an IPv4 tail is two groups.
  const missing = 8 - first.length - rest.length - (rest.at(-1)?.includes(".") ? 1 : 0);
  const groups = tail === undefined ? first : [...first, ...Array(missing).fill("0"), ...rest];
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
