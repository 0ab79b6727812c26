/**
 * How trace lines name a connection: by its remote address, or, for connections without one
 * (some adapters cannot tell), by `#` and a number given in the order they were first traced.
 * Internal to the server core.
 *
 * @example
 * ```ts
 * import { tracePeer } from "./trace_peer.ts";
 * const connection = {};
 * console.assert(tracePeer(connection, "203.0.113.7") === "203.0.113.7");
 * console.assert(tracePeer(connection, "") === tracePeer(connection, "")); // "#1", "#1"
 * ```
 * @module
 */

/** Trace names of connections without a remote address; filled only while tracing. */
const traceNumbers = new WeakMap<object, number>();
let traceCount = 0;

/**
 * The trace name of `connection`: `remoteAddress`, or `#` and the connection's number when
 * that is empty.
 *
 * @example
 * ```ts
 * import { tracePeer } from "./trace_peer.ts";
 * const first = {}, second = {};
 * const a = tracePeer(first, ""), b = tracePeer(second, "");
 * console.assert(a.startsWith("#") && a !== b && tracePeer(first, "") === a);
 * ```
 */
export function tracePeer(connection: object, remoteAddress: string): string {
  if (remoteAddress !== "") return remoteAddress;
  let number = traceNumbers.get(connection);
  if (number === undefined) traceNumbers.set(connection, number = ++traceCount);
  return `#${number}`;
}
